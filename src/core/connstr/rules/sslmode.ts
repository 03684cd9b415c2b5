import { setParamEdit } from '../edit';
import { Finding, Fix, paramValue } from '../types';
import { RuleCtx } from './context';

const MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

function toVerifyFull(ctx: RuleCtx): Fix {
  return { title: 'Set sslmode=verify-full', kind: 'edit', edits: [setParamEdit(ctx.c, 'sslmode', 'verify-full')] };
}

/** sslmode: missing, weak, unknown. JDBC's `ssl=true` alone means verify-full in pgjdbc ≥ 42.2.5. */
export function sslmodeRules(ctx: RuleCtx): Finding[] {
  const { c } = ctx;
  const p = paramValue(c, 'sslmode');
  if (!p) {
    if (c.context === 'cockroach-cli') return []; // cockroach sql --url defaults to verify-full
    if (c.kind === 'jdbc' && paramValue(c, 'ssl')?.value === 'true') return [];
    const defaults = c.kind === 'jdbc'
      ? 'pgjdbc then uses prefer: TLS only if offered, server not verified'
      : 'libpq and psycopg then use prefer (TLS not guaranteed, server not verified), node-postgres connects without TLS, pgx uses prefer, only the cockroach CLI defaults to verify-full';
    return [ctx.finding('sslmode-missing', c.span, `No sslmode: ${defaults}. Add sslmode=verify-full.`, [toVerifyFull(ctx)])];
  }
  const mode = p.value;
  switch (mode) {
    case 'verify-full':
      return [];
    case 'disable':
      return [ctx.finding('sslmode-disable', p.span, 'sslmode=disable sends the password and all data in clear text, and a secure CockroachDB cluster refuses it: use sslmode=verify-full.', [toVerifyFull(ctx)])];
    case 'allow':
      return [ctx.finding('sslmode-allow', p.span, 'sslmode=allow tries without TLS first and never verifies the server (the cockroach CLI rejects it): use sslmode=verify-full.', [toVerifyFull(ctx)])];
    case 'prefer':
      return [ctx.finding('sslmode-prefer', p.span, 'sslmode=prefer falls back to no TLS and never verifies the server: use sslmode=verify-full.', [toVerifyFull(ctx)])];
    case 'require':
      return [ctx.finding('sslmode-require', p.span, 'sslmode=require encrypts but does not verify the server (node-postgres treats it as verify-ca unless uselibpqcompat=true): use sslmode=verify-full with sslrootcert.', [toVerifyFull(ctx)])];
    case 'verify-ca':
      return [ctx.finding('sslmode-verify-ca', p.span, 'sslmode=verify-ca checks the CA but not the host name: use sslmode=verify-full (the node certificate must list this host).', [toVerifyFull(ctx)])];
    default: {
      const near = MODES.find((m) => m.replace('-', '') === mode.toLowerCase().replace(/[-_]/g, '')) ?? 'verify-full';
      return [ctx.finding('sslmode-unknown', p.valueSpan, `unrecognized sslmode "${mode}": CockroachDB and the drivers reject it; use one of ${MODES.join(', ')} (verify-full to verify the server).`,
        [{ title: `Set sslmode=${near}`, kind: 'edit', edits: [setParamEdit(c, 'sslmode', near)] }])];
    }
  }
}
