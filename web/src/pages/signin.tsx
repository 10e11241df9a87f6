/**
 * The sign-in page. Local: pick one of the local identities (no passwords on a local lake). Deployed: a
 * button to the hosted sign-in (sign-in.ts).
 */
import { useState } from 'preact/hooks';
import { sendJson } from '../api.ts';
import { useT } from '../i18n.ts';
import { navigate } from '../router.ts';
import { roleOf, useSession } from '../session.ts';
import { signInDeployed, signInEnded } from '../sign-in.ts';
import { ErrorBox, Page } from '../ui.tsx';

export function SignIn() {
  const t = useT();
  const { identities, reload, deployed } = useSession();
  const [as, setAs] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [enterprise, setEnterprise] = useState('');
  // Read once, when the page opens: the sign-in ended because it could not be renewed.
  const [ended] = useState(() => Boolean(deployed) && signInEnded());
  if (deployed)
    return (
      <Page title={t('signInTitle')}>
        {ended ? (
          <p class="error" role="alert">
            {t('signInEnded')}
          </p>
        ) : null}
        <p>{t('signInDeployedIntro')}</p>
        <button type="button" onClick={() => signInDeployed(deployed).catch(setError)}>
          {t('signIn')}
        </button>
        <ErrorBox error={error} />
      </Page>
    );
  const signIn = async (principal: string) => {
    try {
      await sendJson('POST', '/api/session', { as: principal });
      reload();
      const role = roleOf(principal)?.role;
      navigate(role === 'steward' ? '/upload' : role === 'analyst' || role === 'enterprise' ? '/gov' : '/');
    } catch (err) {
      setError(err);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    return signIn(as || identities[0]);
  };
  const enterpriseSubmit = (e: Event) => {
    e.preventDefault();
    return signIn(`enterprise:${enterprise.trim()}`);
  };
  return (
    <Page title={t('signInTitle')}>
      <p>{t('signInIntro')}</p>
      <form onSubmit={submit} class="form">
        <label for="identity">{t('identity')}</label>
        <select id="identity" value={as} onChange={(e) => setAs((e.target as HTMLSelectElement).value)}>
          {identities.map((i) => {
            const r = roleOf(i);
            return (
              <option value={i} key={i}>
                {r ? `${t(`role.${r.role}`)} · ${r.id}` : i} ({i})
              </option>
            );
          })}
        </select>
        <button type="submit">{t('signIn')}</button>
      </form>
      <h2>{t('enterpriseSignIn')}</h2>
      <form onSubmit={enterpriseSubmit} class="form">
        <label for="enterprise">{t('enterpriseName')}</label>
        <input
          id="enterprise"
          pattern="[a-z][a-z0-9_]*"
          required
          value={enterprise}
          onInput={(e) => setEnterprise((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t('enterpriseSignIn')}</button>
      </form>
      <ErrorBox error={error} />
    </Page>
  );
}
