/**
 * Colour for the human output: `util.styleText` when colour is on, plain text otherwise. On when
 * stdout is a TTY, `NO_COLOR` is not set and `--no-color` was not given. `styleText` exists from
 * Node 20.12; on older 20.x releases the output is plain.
 * @module
 */
import * as util from 'node:util';

// Node 20.20 checks process.stdout itself unless validateStream is false; the caller decides here.
const styleText = (util as { styleText?: (format: string, text: string, options?: { validateStream?: boolean }) => string }).styleText;

/** The styles the renderer uses. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';

/** Applies a style (or not). */
export type Paint = (style: Style, text: string) => string;

/** A {@link Paint} that colours when `color` is true. */
export function painter(color: boolean): Paint {
  return color && styleText !== undefined ? (style, text) => styleText(style, text, { validateStream: false }) : (_style, text) => text;
}

/** Whether to colour: `--no-color`, then `NO_COLOR`, `FORCE_COLOR`, then whether the output is a TTY. */
export function wantsColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag === false) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return isTTY;
}
