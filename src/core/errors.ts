/** Marks a UserError, of any copy of this module: see UserError[Symbol.hasInstance]. */
const USER_ERROR: unique symbol = Symbol.for('cockroach-tls.UserError');

/**
 * An error the user can act on: the message names the file involved and the fix.
 * Front ends print `message` as is (CLI: one line on stderr, exit 1; editor: a notification).
 */
export class UserError extends Error {
  readonly [USER_ERROR] = true;

  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /**
   * `err instanceof UserError` holds for a UserError (or subclass) made by another copy of this
   * class: the extension loads parts of the core from their own bundles (dist/core-*.js), each with
   * its copy of this module, and the extension's front end must still tell a UserError from a bug.
   * A subclass keeps the usual prototype test.
   */
  static [Symbol.hasInstance](x: unknown): boolean {
    if (this !== UserError) return Function.prototype[Symbol.hasInstance].call(this, x);
    return typeof x === 'object' && x !== null && (x as { [USER_ERROR]?: unknown })[USER_ERROR] === true;
  }
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A PEM private key block, whole or cut short (a pasted key), in any label: RSA, EC, ENCRYPTED, plain PKCS#8. */
const PRIVATE_KEY_RE = /-*BEGIN [A-Z0-9 ]*PRIVATE KEY(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;

/** How much of a user's argument a message quotes: enough to recognise it, never a whole pasted blob. */
export const MAX_QUOTED_CHARS = 40;

/**
 * A user's input (a flag value, an argument) quoted for a message: JSON-quoted (one line, control
 * characters escaped), at most MAX_QUOTED_CHARS characters of it with the length when cut, and never
 * a private key: a value holding a PEM key block is described, not shown.
 */
export function quoteInput(value: string, max = MAX_QUOTED_CHARS): string {
  if (/BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(value)) return '<a PEM private key, not shown>';
  const chars = Array.from(value);
  if (chars.length <= max) return JSON.stringify(value);
  return `${JSON.stringify(chars.slice(0, max).join('') + '…')} (${chars.length} characters)`;
}

/** The longest error line the CLI prints: a message quoting paths stays whole, a runaway one is cut. */
export const MAX_MESSAGE_CHARS = 2000;

/**
 * The last guard before a message is shown: PEM private key blocks removed, newlines folded, the
 * length capped. Messages quote inputs with quoteInput; this catches what slipped through.
 */
export function safeMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  const one = message.replace(PRIVATE_KEY_RE, '<a PEM private key, not shown>').replace(/\s*\n\s*/g, ' ');
  const chars = Array.from(one);
  return chars.length <= max ? one : `${chars.slice(0, max).join('')}… (message cut at ${max} of ${chars.length} characters)`;
}
