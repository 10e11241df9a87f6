/** One access request as the inbox and "my requests" show it. */
import { useT } from '../i18n.ts';
import { Badge, when } from '../ui.tsx';
import type { AccessRequest } from './types.ts';

export function RequestRow({ r }: { r: AccessRequest }) {
  const t = useT();
  return (
    <>
      <h2>
        {r.dataset} <Badge kind={`req-${r.status}`}>{t(`req.${r.status}`)}</Badge>
      </h2>
      <dl class="facts">
        <dt>{t('requester')}</dt>
        <dd>{r.requester}</dd>
        <dt>{t('purpose')}</dt>
        <dd>{r.purpose}</dd>
        <dt>{t('until')}</dt>
        <dd>{r.until ?? r.requestedUntil}</dd>
        <dt>{t('columns')}</dt>
        <dd>{r.columns?.join(', ') ?? t('allColumns')}</dd>
        <dt>{t('requestedAt')}</dt>
        <dd>{when(r.createdAt)}</dd>
        {r.reason ? (
          <>
            <dt>{t('reason')}</dt>
            <dd>{r.reason}</dd>
          </>
        ) : null}
      </dl>
    </>
  );
}
