// Plain-text tables for the terminal: left-aligned columns, a rule under the header, long cells
// wrapped inside their column (the last column) so that rows stay readable at 100+ columns.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Right-align (numbers). */
  right?: boolean;
}

export function formatTable<Row>(rows: Row[], columns: Column<Row>[], maxWidth = 120): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => line[i].length)),
  );
  // Only the last column wraps: it gets whatever the others leave, at least 30 characters.
  const fixed = widths.slice(0, -1).reduce((sum, width) => sum + width + 2, 0);
  widths[widths.length - 1] = Math.min(widths[widths.length - 1], Math.max(30, maxWidth - fixed));

  const render = (values: string[]) => {
    const last = wrap(values[values.length - 1], widths[widths.length - 1]);
    return last
      .map((piece, lineNo) =>
        values
          .map((value, i) => {
            if (i === values.length - 1) return piece;
            const text = lineNo === 0 ? value : "";
            return columns[i].right ? text.padStart(widths[i]) : text.padEnd(widths[i]);
          })
          .join("  ")
          .trimEnd(),
      )
      .join("\n");
  };
  const header = render(columns.map((column) => column.header));
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [header, rule, ...cells.map(render)].join("\n");
}

/** Splits at spaces (or hard, for one overlong word) into lines of at most `width`. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    let rest = word;
    while (rest.length > width) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      line = "";
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  lines.push(line);
  return lines;
}
