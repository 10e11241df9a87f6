/** Who is signed in (the server reads it from its HttpOnly cookie; the page only asks). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Session {
  who: string | null;
  identities: string[];
  reload: () => void;
}

export const SessionContext = createContext<Session>({ who: null, identities: [], reload: () => {} });

export function useSession(): Session {
  return useContext(SessionContext);
}

/** `steward:health` → ['steward', 'health']. */
export function roleOf(who: string | null): { role: string; id: string } | null {
  if (!who) return null;
  const [role, id] = who.split(':');
  return { role, id };
}
