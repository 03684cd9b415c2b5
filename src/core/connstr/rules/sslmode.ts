import { SSLMODES } from '../../cockroach/sslmode';
import { PS_ALL, PS_VALUE } from '../table';
import { RuleCtx, SetParamFix } from './context';

const MISSING_JDBC = 'No sslmode: pgjdbc then uses prefer: TLS only if offered, server not verified. Add sslmode=verify-full.';
const MISSING_LIBPQ =
  'No sslmode: libpq and psycopg then use prefer (TLS not guaranteed, server not verified), node-postgres connects without TLS, pgx uses prefer, only the cockroach CLI defaults to verify-full. Add sslmode=verify-full.';
const DISABLE = 'sslmode=disable sends the password and all data in clear text, and a secure CockroachDB cluster refuses it: use sslmode=verify-full.';
const ALLOW = 'sslmode=allow tries without TLS first and never verifies the server (the cockroach CLI rejects it): use sslmode=verify-full.';
const PREFER = 'sslmode=prefer falls back to no TLS and never verifies the server: use sslmode=verify-full.';
const REQUIRE =
  'sslmode=require encrypts but does not verify the server in libpq, psycopg, pgx and pgjdbc (node-postgres 8.x reads require, prefer and verify-ca as verify-full, and as libpq does only with uselibpqcompat=true): use sslmode=verify-full with sslrootcert, which means the same to every client.';
const VERIFY_CA = 'sslmode=verify-ca checks the CA but not the host name: use sslmode=verify-full (the node certificate must list this host).';

const VERIFY_FULL = new SetParamFix('Set sslmode=verify-full', 'sslmode', 'verify-full');

/** What an unrecognized sslmode was probably meant to be, and the message; once per value and run. */
function unknownMode(mode: string): { fix: SetParamFix; message: string } {
  const near = SSLMODES.find((m) => m.replace('-', '') === mode.toLowerCase().replace(/[-_]/g, '')) ?? 'verify-full';
  return {
    fix: new SetParamFix(`Set sslmode=${near}`, 'sslmode', near),
    message: `unrecognized sslmode "${mode}": CockroachDB and the drivers reject it; use one of ${SSLMODES.join(', ')} (verify-full to verify the server).`,
  };
}

/** sslmode: missing, weak, unknown. JDBC's `ssl=true` alone means verify-full in pgjdbc ≥ 42.2.5. */
export function sslmodeRules(ctx: RuleCtx): void {
  const p = ctx.sslmode;
  if (p < 0) {
    // The cockroach CLI and pgjdbc's ssl=true default to verify-full: nothing to say.
    const eff = ctx.eff();
    if (eff.mode === 'verify-full') return;
    ctx.addConn('sslmode-missing', eff.source === 'pgjdbc' ? MISSING_JDBC : MISSING_LIBPQ, VERIFY_FULL);
    return;
  }
  const mode = ctx.value(p);
  switch (mode) {
    case 'verify-full':
      return;
    case 'disable':
      ctx.addParam('sslmode-disable', p, PS_ALL, DISABLE, VERIFY_FULL);
      return;
    case 'allow':
      ctx.addParam('sslmode-allow', p, PS_ALL, ALLOW, VERIFY_FULL);
      return;
    case 'prefer':
      ctx.addParam('sslmode-prefer', p, PS_ALL, PREFER, VERIFY_FULL);
      return;
    case 'require':
      ctx.addParam('sslmode-require', p, PS_ALL, REQUIRE, VERIFY_FULL);
      return;
    case 'verify-ca':
      ctx.addParam('sslmode-verify-ca', p, PS_ALL, VERIFY_CA, VERIFY_FULL);
      return;
    default: {
      const u = ctx.scope.byValue('sslmode-unknown', mode, unknownMode);
      ctx.addParam('sslmode-unknown', p, PS_VALUE, u.message, u.fix);
    }
  }
}
