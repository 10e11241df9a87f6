/** The portal's frame: header with navigation by role, the language switch, and the page of the route. */
import { useEffect, useState } from 'preact/hooks';
import { getJson, sendJson } from './api.ts';
import { initialLang, type Lang, LangContext, saveLang, translator, useT } from './i18n.ts';
import { Catalogue } from './pages/catalogue.tsx';
import { DatasetPage } from './pages/dataset.tsx';
import { GovCatalogue } from './pages/gov-catalogue.tsx';
import { Inbox } from './pages/inbox.tsx';
import { MyRequests } from './pages/my-requests.tsx';
import { Overdue } from './pages/overdue.tsx';
import { ReportPage } from './pages/report.tsx';
import { RequestForm } from './pages/request.tsx';
import { SignIn } from './pages/signin.tsx';
import { SqlPage } from './pages/sql.tsx';
import { UploadPage } from './pages/upload.tsx';
import { Uploads } from './pages/uploads.tsx';
import type { PortalConfig } from './pkce.ts';
import { match, navigate, useRoute } from './router.ts';
import { roleOf, SessionContext, useSession } from './session.ts';
import { actAs, hasToken, signInDeployed, signOutDeployed, startSignInFlow } from './sign-in.ts';
import { ErrorBox, Loading } from './ui.tsx';

const ROUTES: [string, (p: Record<string, string>) => preact.JSX.Element][] = [
  ['/', () => <Catalogue />],
  ['/datasets/:department/:name', (p) => <DatasetPage department={p.department} name={p.name} />],
  ['/signin', () => <SignIn />],
  ['/upload', () => <UploadPage />],
  ['/uploads', () => <Uploads />],
  ['/reports/:id', (p) => <ReportPage id={p.id} />],
  ['/overdue', () => <Overdue />],
  ['/inbox', () => <Inbox />],
  ['/gov', () => <GovCatalogue />],
  ['/request/:department/:name', (p) => <RequestForm department={p.department} name={p.name} />],
  ['/requests', () => <MyRequests />],
  ['/sql', () => <SqlPage />],
];

function Nav() {
  const t = useT();
  const { who, reload, deployed } = useSession();
  const role = roleOf(who)?.role;
  const links: [string, string][] = [['/', t('navCatalogue')]];
  if (role === 'steward')
    links.push(
      ['/upload', t('navUpload')],
      ['/uploads', t('navUploads')],
      ['/overdue', t('navOverdue')],
      ['/inbox', t('navInbox')],
      ['/gov', t('navGov')],
    );
  if (role === 'analyst')
    links.push(['/gov', t('navGov')], ['/requests', t('navRequests')], ['/sql', t('navSql')]);
  if (role === 'enterprise')
    links.push(
      ['/gov', t('navCatalogueForEnterprise')],
      ['/requests', t('navRequests')],
      ['/sql', t('navSql')],
    );
  const signOut = async () => {
    if (deployed) return signOutDeployed(deployed);
    await sendJson('DELETE', '/api/session');
    reload();
    navigate('/');
  };
  return (
    <nav aria-label={t('portal')}>
      <ul>
        {links.map(([href, label]) => (
          <li key={href}>
            <a href={`#${href}`}>{label}</a>
          </li>
        ))}
        <li>
          {who ? (
            <button type="button" class="link" onClick={signOut}>
              {t('navSignOut')}
            </button>
          ) : deployed ? (
            <button type="button" class="link" onClick={() => signInDeployed(deployed)}>
              {t('navSignIn')}
            </button>
          ) : (
            <a href="#/signin">{t('navSignIn')}</a>
          )}
        </li>
      </ul>
    </nav>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const [session, setSession] = useState<{ who: string | null; identities: string[] }>({
    who: null,
    identities: [],
  });
  // undefined: /portal-config.json not read yet; null: the local sign-in.
  const [deployed, setDeployed] = useState<PortalConfig | null | undefined>(undefined);
  const [signInError, setSignInError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  const path = useRoute();
  useEffect(() => {
    saveLang(lang);
  }, [lang]);
  useEffect(() => {
    startSignInFlow().then(setDeployed, (e) => {
      setSignInError(e);
      setDeployed(null);
    });
  }, []);
  useEffect(() => {
    if (deployed === undefined) return;
    // Deployed, only a signed-in user has a session to ask about (the API wants a token).
    if (deployed && !hasToken()) return setSession({ who: null, identities: [] });
    getJson<{ who: string | null; identities: string[] }>('/api/session').then(setSession, () => undefined);
  }, [n, deployed]);
  const t = translator(lang);
  const page = ROUTES.map(([pattern, render]) => {
    const p = match(pattern, path);
    return p ? render(p) : null;
  }).find(Boolean) ?? <Catalogue />;
  const role = roleOf(session.who);
  return (
    <LangContext.Provider value={{ lang, t }}>
      <SessionContext.Provider
        value={{ ...session, deployed: deployed ?? null, reload: () => setN((x) => x + 1) }}
      >
        <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
          {t('skip')}
        </button>
        <header>
          <p class="brand">
            <a href="#/">
              {t('appName')} · {t('portal')}
            </a>
          </p>
          <Nav />
          <div class="tools">
            {role ? (
              <span class="who" data-testid="who">
                {t('signedInAs')}: {t(`role.${role.role}`)} {role.id}
              </span>
            ) : null}
            {deployed && session.identities.length > 1 ? (
              <label class="act-as">
                {t('actAsLabel')}{' '}
                <select
                  value={session.who ?? ''}
                  onChange={(e) => {
                    actAs((e.target as HTMLSelectElement).value);
                    setN((x) => x + 1);
                  }}
                >
                  {session.identities.map((i) => {
                    const r = roleOf(i);
                    return (
                      <option value={i} key={i}>
                        {r ? `${t(`role.${r.role}`)} · ${r.id}` : i}
                      </option>
                    );
                  })}
                </select>
              </label>
            ) : null}
            <button
              type="button"
              lang={lang === 'en' ? 'zh-CN' : 'en'}
              aria-label={t('switchLangLabel')}
              onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
            >
              {t('switchLang')}
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1} key={`${path}-${n}`}>
          <ErrorBox error={signInError} />
          {/* Pages call the API: not before the sign-in settings (and any token) are known. */}
          {deployed === undefined ? <Loading /> : page}
        </main>
      </SessionContext.Provider>
    </LangContext.Provider>
  );
}
