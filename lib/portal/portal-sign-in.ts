/**
 * Sign-in to the deployed portal: a Cognito user pool of the province's staff (and of the enterprises
 * registered to ask for conditionally opened data).
 *
 * - No self sign-up: the platform team creates users (or federates the province's directory) and adds them
 *   to groups. Each department has `steward-<department>` and `analyst-<department>` groups, which the
 *   portal's API maps to the principals `steward:<department>` and `analyst:<department>`
 *   (src/portal/cognito-groups.ts, the same module). An enterprise that asks for conditionally opened
 *   data has a group `enterprise-<name>` (principal `enterprise:<name>`), which the platform team creates
 *   when it registers (docs/portal.md): the stack cannot know enterprises at synth.
 * - MFA required, by authenticator app (TOTP) only: stewards approve access to their department's data,
 *   and SMS would need a sending role and a telephone number, a personal value the lake need not hold.
 * - A 14-character password with every character class; temporary passwords last 3 days; recovery by
 *   e-mail only; user-existence errors are not revealed.
 * - Threat protection (the Plus feature plan, full function) where the region offers it; off with
 *   `threatProtection: false`.
 * - The pool is retained with deletion protection (the users, their MFA and groups are hard to recreate).
 * - The web app's client: authorization code with PKCE, no client secret (a browser keeps none), the
 *   portal's own URL as the only callback, tokens an hour long, refresh for eight.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { portalGroups } from '../../src/portal/cognito-groups.ts';
import { acknowledge } from '../common/nag.ts';

/** Password rules of the portal's users. */
export const PORTAL_PASSWORD_POLICY = {
  minLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidity: Duration.days(3),
} as const;

/** How long a sign-in's tokens last, and how long it can be renewed without signing in again. */
export const PORTAL_TOKEN_VALIDITY = {
  idToken: Duration.hours(1),
  accessToken: Duration.hours(1),
  refreshToken: Duration.hours(8),
};

/** The web client's one API flow: renewing tokens with the refresh token (the page's token refresh). */
export const WEB_CLIENT_AUTH_FLOW = 'ALLOW_REFRESH_TOKEN_AUTH';

/** Words Cognito refuses in a hosted-UI domain prefix. */
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];

export interface PortalSignInProps {
  /** The declared departments: one steward and one analyst group each. */
  readonly departments: readonly string[];
  /**
   * The hosted sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`).
   * @default - the stack's name and a short hash of its path, lowercase
   */
  readonly domainPrefix?: string;
  /**
   * Cognito threat protection (compromised credentials, adaptive authentication), on the Plus feature plan.
   * @default true
   */
  readonly threatProtection?: boolean;
  /** @default RemovalPolicy.RETAIN (with deletion protection) */
  readonly removalPolicy?: RemovalPolicy;
}

/** The default hosted-UI prefix: stable for a stack, lowercase, without the words Cognito reserves. */
export function defaultDomainPrefix(scope: Construct): string {
  const base = Stack.of(scope)
    .stackName.toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(new RegExp(RESERVED_PREFIX_WORDS.join('|'), 'g'), 'x')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const hash = scope.node.addr.slice(0, 8);
  return `${base || 'lake'}-portal-${hash}`;
}

export class PortalSignIn extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly domain: cognito.UserPoolDomain;
  public readonly groups: cognito.CfnUserPoolGroup[] = [];
  /** The hosted UI's prefix. */
  public readonly domainPrefix: string;

  constructor(scope: Construct, id: string, props: PortalSignInProps) {
    super(scope, id);
    this.domainPrefix = props.domainPrefix ?? defaultDomainPrefix(this);
    if (
      !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(this.domainPrefix) ||
      RESERVED_PREFIX_WORDS.some((w) => this.domainPrefix.includes(w))
    )
      throw new Error(
        `portal sign-in domain prefix "${this.domainPrefix}" is not valid: use 1 to 63 lowercase letters, digits and inner hyphens, without ${RESERVED_PREFIX_WORDS.join(', ')}.`,
      );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const threatProtection = props.threatProtection ?? true;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: PORTAL_PASSWORD_POLICY,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      autoVerify: { email: true },
      featurePlan: threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(threatProtection
        ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    if (!threatProtection)
      acknowledge(
        this.userPool,
        'AwsSolutions-COG3',
        'Threat protection is switched off (threatProtection: false) where the region or the budget has no Plus plan.',
      );
    for (const g of portalGroups(props.departments)) {
      this.groups.push(
        new cognito.CfnUserPoolGroup(this, `Group-${g.name}`, {
          userPoolId: this.userPool.userPoolId,
          groupName: g.name,
          precedence: g.precedence,
          description: `Portal: acts as ${g.principal.kind}:${g.principal.id}`,
        }),
      );
    }
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: this.domainPrefix } });
  }

  /**
   * The web app's client, whose only callback is the portal's own URL (`https://<domain>/`). It signs in
   * through the hosted sign-in only and renews its tokens with the refresh token (the one API flow it
   * has: no password or SRP sign-in from the page), for PORTAL_TOKEN_VALIDITY.refreshToken.
   */
  public addWebClient(portalUrl: string): cognito.UserPoolClient {
    const client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [portalUrl],
        logoutUrls: [portalUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: PORTAL_TOKEN_VALIDITY.idToken,
      accessTokenValidity: PORTAL_TOKEN_VALIDITY.accessToken,
      refreshTokenValidity: PORTAL_TOKEN_VALIDITY.refreshToken,
    });
    // Without this Cognito would also allow SRP and custom sign-in (its default when none is named).
    (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = [WEB_CLIENT_AUTH_FLOW];
    return client;
  }

  /** The hosted sign-in's base URL. */
  public get hostedUiUrl(): string {
    return this.domain.baseUrl();
  }
}
