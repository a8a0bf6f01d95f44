/**
 * A small PowerShell lexer for tests, since no PowerShell runs on this machine. It knows what
 * decides where code is: comments (`# ...`, `<# ... #>`), single-quoted strings ('' escapes),
 * double-quoted strings (backtick and "" escapes, `$( ... )` sub-expressions holding code),
 * here-strings (@' ... '@, @" ... "@) and backtick escapes. It checks that brackets pair up and
 * that strings and comments end. It is not a parser: it cannot say a script is valid PowerShell,
 * only that its delimiters are, and where its code is.
 *
 * Simplification: a `#` in code always starts a comment (PowerShell also allows it inside a
 * bare word such as a#b); none of the scripts here writes one there.
 */

export interface Lexed {
  /** The source with comments blanked (newlines kept): code and strings as written. */
  withoutComments: string;
  /** Code only: comments dropped, every string literal reduced to '' or "" (sub-expressions
   * of double-quoted strings kept, they are code). Two sources with the same skeleton have the
   * same code and differ only in the contents of their string literals. */
  skeleton: string;
  /** Every string literal's content, in order, as written between its delimiters. */
  strings: string[];
  /** Offset of every bracket in code that pairs up -> offset of its closing bracket. */
  pairs: Map<number, number>;
  /** Unclosed or mismatched brackets, unterminated strings or comments, with line numbers. */
  problems: string[];
}

type Frame =
  | { kind: "bracket"; open: string; at: number; line: number }
  | { kind: "doubleQuoted"; line: number; start: number };

const CLOSER: Record<string, string> = { "(": ")", "{": "}", "[": "]" };

/** PowerShell takes the typographic quotes for quotes too (its CharExtensions.IsSingleQuote and
 * IsDoubleQuote): a value that holds one can end a literal as well as ' or " can. */
const isSingleQuote = (c: string | undefined) =>
  c !== undefined && "'\u2018\u2019\u201A\u201B".includes(c);
const isDoubleQuote = (c: string | undefined) =>
  c !== undefined && '"\u201C\u201D\u201E'.includes(c);

export function lexPowerShell(text: string): Lexed {
  const blanked = text.split("");
  const problems: string[] = [];
  const strings: string[] = [];
  const stack: Frame[] = [];
  const pairs = new Map<number, number>();
  let skeleton = "";
  let line = 1;
  let i = 0;

  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (blanked[k] !== "\n") blanked[k] = " ";
  };
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (text[k] === "\n") line++;
  };

  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    const top = stack[stack.length - 1];

    if (top?.kind === "doubleQuoted") {
      if (c === "`") {
        countLines(i, i + 2);
        i += 2;
      } else if (isDoubleQuote(c) && isDoubleQuote(next)) {
        i += 2;
      } else if (isDoubleQuote(c)) {
        stack.pop();
        strings.push(text.slice(top.start, i));
        skeleton += '"';
        i++;
      } else if (c === "$" && next === "(") {
        stack.push({ kind: "bracket", open: "(", at: i + 1, line });
        skeleton += "$(";
        i += 2;
      } else {
        if (c === "\n") line++;
        i++;
      }
      continue;
    }

    if (c === "<" && next === "#") {
      const end = text.indexOf("#>", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      if (end < 0) problems.push(`line ${line}: block comment <# is never closed`);
      blank(i, stop);
      countLines(i, stop);
      i = stop;
    } else if (c === "#") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "`") {
      skeleton += text.slice(i, i + 2);
      countLines(i, i + 2);
      i += 2;
    } else if (
      c === "@" &&
      (next === "'" || next === '"') &&
      /^[ \t]*\r?\n/.test(text.slice(i + 2))
    ) {
      const quote = next;
      const bodyStart = text.indexOf("\n", i) + 1;
      const end = text.indexOf(`\n${quote}@`, bodyStart - 1);
      if (end < 0) {
        problems.push(`line ${line}: here-string @${quote} is never closed by ${quote}@`);
        countLines(i, text.length);
        i = text.length;
      } else {
        strings.push(text.slice(bodyStart, end));
        skeleton += `@${quote}${quote}@`;
        countLines(i, end + 3);
        i = end + 3;
      }
    } else if (isSingleQuote(c)) {
      let j = i + 1;
      while (j < text.length && !(isSingleQuote(text[j]) && !isSingleQuote(text[j + 1]))) {
        j += isSingleQuote(text[j]) ? 2 : 1;
      }
      if (j >= text.length) problems.push(`line ${line}: string ' is never closed`);
      strings.push(text.slice(i + 1, j));
      skeleton += "''";
      countLines(i, j + 1);
      i = j + 1;
    } else if (isDoubleQuote(c)) {
      stack.push({ kind: "doubleQuoted", line, start: i + 1 });
      skeleton += '"';
      i++;
    } else if (c in CLOSER) {
      stack.push({ kind: "bracket", open: c, at: i, line });
      skeleton += c;
      i++;
    } else if (c === ")" || c === "}" || c === "]") {
      const open = stack.pop();
      if (open?.kind === "bracket" && CLOSER[open.open] === c) {
        pairs.set(open.at, i);
      } else {
        problems.push(`line ${line}: ${c} does not close anything open`);
        if (open) stack.push(open);
      }
      skeleton += c;
      i++;
    } else {
      if (c === "\n") line++;
      skeleton += c;
      i++;
    }
  }

  for (const frame of stack) {
    problems.push(
      frame.kind === "doubleQuoted"
        ? `line ${frame.line}: string " is never closed`
        : `line ${frame.line}: ${frame.open} is never closed`,
    );
  }
  return { withoutComments: blanked.join(""), skeleton, strings, pairs, problems };
}
