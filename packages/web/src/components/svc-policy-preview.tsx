import type { PolicyPreview } from '@vigil/sdk/contract';
import { Link } from 'wouter';

type PreviewStep = PolicyPreview['steps'][number];
type PreviewTarget = PreviewStep['targets'][number];

const targetKind: Record<PreviewTarget['type'], string> = {
  user: 'person',
  schedule: 'on call for',
  team: 'everyone in',
};

export function targetHref(target: { type: PreviewTarget['type']; id: string }): string | null {
  if (target.type === 'schedule') return `/schedules/${target.id}`;
  return null;
}

/** The people one step would page now, unreachable ones flagged with why. */
export function PreviewStepPeople({ step }: { step: PreviewStep }) {
  const everyone = step.targets.flatMap((t) => t.people);
  const reachable = everyone.filter((p) => p.reachable).length;
  return (
    <div className="stack" style={{ gap: 4 }}>
      {step.targets.map((target) => {
        const href = targetHref(target);
        return (
          <div key={`${target.type}:${target.id}`}>
            <div className="small muted">
              {target.type === 'user' ? null : (
                <>
                  {targetKind[target.type]} {href ? <Link href={href}>{target.name}</Link> : target.name}
                </>
              )}
            </div>
            {target.people.length === 0 ? (
              <div className="small" style={{ color: 'var(--triggered)' }}>
                {target.type === 'schedule' ? 'Nobody is on call right now' : 'Nobody in it'}
              </div>
            ) : (
              <ul className="svc-people">
                {target.people.map((person) => (
                  <li key={person.id}>
                    <span>{person.name}</span>{' '}
                    {person.reachable ? (
                      <span className="badge resolved">reachable</span>
                    ) : (
                      <>
                        <span className="badge triggered">unreachable</span>{' '}
                        <span className="small muted">{person.reason ?? ''}</span>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {reachable === 0 ? (
        <p className="small" style={{ margin: 0, color: 'var(--triggered)' }}>
          Nobody here can be paged now: this step would be skipped.
        </p>
      ) : null}
    </div>
  );
}
