/** Who did something: written on every timeline and audit entry. */
export interface Actor {
  type: 'user' | 'integration' | 'system';
  id: string | null;
  name: string;
}

export const systemActor: Actor = { type: 'system', id: null, name: 'Vigil' };

/** What a use case needs to know about the caller to check and record a change. */
export interface RequestContext {
  actor: Actor;
  /** The user behind the actor, when there is one (API keys belong to users). */
  userId: string | null;
  /**
   * What this request may do: the weaker of the API key's role and its user's. Use cases check this,
   * never the user's own role, so a read-only key of an owner stays read-only.
   */
  role: import('../auth/roles.js').Role | null;
  ip: string | null;
  /** The browser session the request came through, when it came through one (not an API key). */
  sessionId?: string | null;
}
