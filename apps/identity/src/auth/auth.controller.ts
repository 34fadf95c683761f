import { Body, Controller, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import { AuthenticationError, type Principal } from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { IdentityExceptionFilter } from '../errors/identity-exception.filter';
import { parseBody } from '../errors/parse-body';
import { LdapLoginHandler } from '../ldap/ldap-login.handler';
import { DisabledPrincipals } from '../principals/disabled-principals';
import { ServiceAccountsService } from '../service-accounts/service-accounts.service';
import { SigningKeyService } from '../signing-keys/signing-key.service';
import { requireAdmin } from './admin';
import { tokenRequestDto } from './auth.dto';
import { CurrentPrincipal, PrincipalGuard, principalJson } from './principal.guard';
import { TokenIssuer, type IssuedToken } from './token-issuer';

@Controller()
@UseFilters(IdentityExceptionFilter)
export class AuthController {
  constructor(
    private readonly ldapLogin: LdapLoginHandler,
    private readonly serviceAccounts: ServiceAccountsService,
    private readonly tokens: TokenIssuer,
    private readonly signingKeys: SigningKeyService,
    private readonly disabled: DisabledPrincipals,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** LDAP username + password, or a service account's client credentials → a short-lived token. */
  @Post('v1/auth/token')
  @HttpCode(200)
  async token(@Body() body: unknown): Promise<IssuedToken> {
    const request = parseBody(tokenRequestDto, body);
    if (request.grant_type === 'client_credentials') {
      const account = await this.serviceAccounts.authenticate(request.client_id, request.client_secret);
      return this.tokens.issue({ id: account.id, type: 'service_account', roles: account.roles, groups: [] });
    }
    const user = await this.ldapLogin.execute({ username: request.username, password: request.password });
    // Disabled here (by an admin or the LDAP check) while LDAP still lets the user bind: no token.
    if (this.disabled.has('user', user.id)) throw new AuthenticationError('disabled', 'principal disabled');
    return this.tokens.issue({ id: user.id, type: 'user', roles: user.roles, groups: user.groups });
  }

  /** The caller's principal, as every service sees it. Also the REST form of principal resolution. */
  @Get('v1/auth/whoami')
  @UseGuards(PrincipalGuard)
  whoami(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return principalJson(principal);
  }

  @Post('v1/auth/signing-keys/rotate')
  @UseGuards(PrincipalGuard)
  @HttpCode(200)
  async rotate(@CurrentPrincipal() principal: Principal): Promise<{ kid: string }> {
    requireAdmin(principal, this.config);
    return { kid: await this.signingKeys.rotate() };
  }
}
