/**
 * Who is signed in: the server reads it from its HttpOnly cookie (local) or the ID token (deployed); the
 * page only asks. `deployed` holds the hosted sign-in's settings when the portal is deployed.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PortalConfig } from './pkce.ts';

export interface Session {
  who: string | null;
  identities: string[];
  deployed: PortalConfig | null;
  reload: () => void;
}

export const SessionContext = createContext<Session>({
  who: null,
  identities: [],
  deployed: null,
  reload: () => {},
});

export function useSession(): Session {
  return useContext(SessionContext);
}

/** `steward:health` → ['steward', 'health']. */
export function roleOf(who: string | null): { role: string; id: string } | null {
  if (!who) return null;
  const [role, id] = who.split(':');
  return { role, id };
}
