import { Category } from '../types';

/**
 * A cause or a fix: one text template (../template.ts), or variants, of which the first
 * without a `when`, or whose `when` template renders non-empty, is used.
 */
export type EntryText = string | readonly { when?: string; text: string }[];

/**
 * One known error message. Plain data: the texts are templates over the pattern's groups, the
 * names `hostPort`, `server`, `user`, `sqlPort`, the shared texts of ./shared.ts and the filters
 * of ../explain.ts.
 */
export interface CatalogueEntry {
  /** Stable; reported as `matched.id`. */
  id: string;
  category: Category;
  /** The clients that print the message. */
  clients: string;
  pattern: RegExp;
  cause: EntryText;
  fix: EntryText;
  /** With category 'ambiguous': the causes the text fits, which explain lists without picking one. */
  candidates?: readonly Category[];
}
