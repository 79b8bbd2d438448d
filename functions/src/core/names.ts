/**
 * Names others see (docs/protocol.md#names): whatever a user typed into their profile, made
 * safe to show. NFC; control, format (zero-width, bidi marks and overrides) and other
 * invisible characters removed; white space collapsed; at most 64 characters (code points,
 * never half a surrogate pair); "Unknown" when nothing is left.
 */

export const NAME_MAX = 64;
export const UNKNOWN_NAME = "Unknown";

// Cc control, Cf format (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF, …),
// Co private use, Cn unassigned, Cs lone surrogates: none draws anything one can trust.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu;
// Controls that mean a space (tab, line breaks): a space, not nothing.
const SPACING_CONTROLS = /[\t\n\v\f\r\u0085]/g;
// Line and paragraph separators and every other space become one plain space.
const SPACE = /[\s\p{Zs}\p{Zl}\p{Zp}]+/gu;

export function normalizeName(raw: string | undefined | null): string {
  const text = (raw ?? "")
    .normalize("NFC")
    .replace(SPACING_CONTROLS, " ")
    .replace(INVISIBLE, "") // before collapsing: JS's \s counts U+FEFF (format) as a space
    .replace(SPACE, " ")
    .trim();
  const cut = Array.from(text).slice(0, NAME_MAX).join("").trimEnd();
  return cut === "" ? UNKNOWN_NAME : cut;
}
