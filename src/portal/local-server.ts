/**
 * The local portal server (`lake serve`, `lake up`): the portal app over the local lake's services,
 * the local sign-in, the open-data folder and the built web app, on loopback only. Returns its address
 * and a close() that stops accepting requests and closes the lake.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { portalApp } from './app.ts';
import { cookieIdentity, localIdentities } from './identity.ts';
import type { LocalServices } from './local-services.ts';
import { sessionRoutes } from './session-routes.ts';
import { staticFiles } from './static-files.ts';

export interface PortalServer {
  url: string;
  close(): Promise<void>;
}

export interface PortalServerOptions {
  services: LocalServices;
  /** The built web app (scripts/build-portal.mjs). */
  webDir: string;
  host: string;
  port: number;
  onError?: (e: unknown) => void;
}

/** The loopback names a local portal answers to on `port`. */
function loopbackHosts(host: string, port: number): string[] {
  const names = new Set([host, '127.0.0.1', 'localhost']);
  return [...names].map((h) => `${h}:${port}`);
}

export async function startPortalServer(opts: PortalServerOptions): Promise<PortalServer> {
  const departments = opts.services.contracts.departments;
  const identities = () => localIdentities(departments);
  let hosts: string[] = [];
  const app = portalApp({
    services: opts.services,
    identity: cookieIdentity(
      identities(),
      departments.map((d) => d.id),
    ),
    // Known once listening (port 0 picks any free one); nothing is served before.
    hosts: () => hosts,
    aroundApi: (call) => opts.services.around(call),
    onError: opts.onError,
  });
  sessionRoutes(app, identities);
  app.get('*', staticFiles(opts.webDir));
  const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  hosts = loopbackHosts(opts.host, port);
  return {
    url: `http://${opts.host}:${port}/`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opts.services.close();
    },
  };
}
