import { type ComponentType, lazy, Suspense, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ErrorBoundary } from './components/error-boundary.js';
import { LoginPage } from './pages/login.js';
import { ResetPasswordPage } from './pages/reset-password.js';
import { SessionProvider, useSessionQuery, useSignOut } from './session.js';
import { applyTheme, currentTheme } from './theme.js';
import { ErrorBox, Loading } from './ui.js';

/** Screens load when first opened: the first load carries only the shell and the board. */
const page = (load: () => Promise<{ default: ComponentType }>) => lazy(load);
const Board = page(() => import('./pages/board.js'));
const Incident = page(() => import('./pages/incident.js'));
const NewIncident = page(() => import('./pages/new-incident.js'));
const Services = page(() => import('./pages/services.js'));
const Service = page(() => import('./pages/service.js'));
const Policies = page(() => import('./pages/policies.js'));
const Policy = page(() => import('./pages/policy.js'));
const Schedules = page(() => import('./pages/schedules.js'));
const Schedule = page(() => import('./pages/schedule.js'));
const OnCall = page(() => import('./pages/oncall.js'));
const People = page(() => import('./pages/people.js'));
const Audit = page(() => import('./pages/audit.js'));
const Profile = page(() => import('./pages/profile.js'));

const nav: [string, string][] = [
  ['/', 'Incidents'],
  ['/oncall', 'On call now'],
  ['/services', 'Services'],
  ['/schedules', 'Schedules'],
  ['/policies', 'Escalation policies'],
  ['/people', 'People & teams'],
  ['/audit', 'Audit log'],
  ['/profile', 'My profile'],
];

export function App() {
  return (
    <Switch>
      <Route path="/login" component={LoginPage} />
      <Route path="/reset-password" component={ResetPasswordPage} />
      <Route>
        <SignedIn />
      </Route>
    </Switch>
  );
}

function SignedIn() {
  const session = useSessionQuery();
  const [location] = useLocation();
  if (session.isPending) return <Loading what="Opening Vigil" />;
  if (session.isError)
    return (
      <div className="center-card">
        <ErrorBox error={session.error} />
      </div>
    );
  if (!session.data) return <Redirect to={`/login?next=${encodeURIComponent(location)}`} />;
  return (
    <SessionProvider session={session.data}>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const [location] = useLocation();
  // The phone menu is open for the page it was opened on: navigating closes it.
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === location;
  const setMenuOpen = (open: boolean) => setMenuOpenOn(open ? location : null);
  const [theme, setTheme] = useState(currentTheme());
  const signOut = useSignOut();
  const current = (href: string) =>
    href === '/' ? location === '/' || location.startsWith('/incidents') : location.startsWith(href);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          aria-label="Menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          ☰
        </button>
        <Link className="brand" href="/">
          Vigil
        </Link>
      </header>
      <nav className={`nav${menuOpen ? ' open' : ''}`} aria-label="Main">
        <Link className="brand hide-phone" href="/">
          Vigil
        </Link>
        {nav.map(([href, label]) => (
          <Link key={href} className="item" href={href} aria-current={current(href) ? 'page' : undefined}>
            {label}
          </Link>
        ))}
        <div className="spacer" />
        <button
          type="button"
          className="link small"
          onClick={() => {
            const next = theme === 'dark' ? 'light' : 'dark';
            applyTheme(next, true);
            setTheme(next);
          }}
        >
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
        <button type="button" className="link small" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
      <main className="main" id="main">
        <ErrorBoundary key={location}>
          <Suspense fallback={<Loading />}>
            <Switch>
              <Route path="/" component={Board} />
              <Route path="/incidents/new" component={NewIncident} />
              <Route path="/incidents/:id" component={Incident} />
              <Route path="/services" component={Services} />
              <Route path="/services/:id" component={Service} />
              <Route path="/policies" component={Policies} />
              <Route path="/policies/:id" component={Policy} />
              <Route path="/schedules" component={Schedules} />
              <Route path="/schedules/:id" component={Schedule} />
              <Route path="/oncall" component={OnCall} />
              <Route path="/people" component={People} />
              <Route path="/audit" component={Audit} />
              <Route path="/profile" component={Profile} />
              <Route>
                <p>
                  Nothing here. <Link href="/">Back to incidents</Link>
                </p>
              </Route>
            </Switch>
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
