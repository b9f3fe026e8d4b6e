// Renders styled lines as Ink text, each cut to the width, the box exactly height lines tall.
import { Box, Text } from 'ink';
import { createElement as h, type ReactElement } from 'react';
import { cutLine, type Line } from '../lines.ts';

export function LineView({ line, width }: { line: Line; width: number }): ReactElement {
  const segments = cutLine(line, width);
  return h(
    Text,
    { wrap: 'truncate' },
    ...segments.map((segment, index) =>
      h(Text, { key: index, ...(segment.color ? { color: segment.color } : {}), bold: segment.bold ?? false, inverse: segment.inverse ?? false, dimColor: segment.dim ?? false }, segment.text),
    ),
    // An empty Text would collapse to no line at all.
    segments.length === 0 ? ' ' : '',
  );
}

export function LinesBox({ lines, width, height }: { lines: readonly Line[]; width: number; height: number }): ReactElement {
  return h(
    Box,
    { flexDirection: 'column', width, height, overflow: 'hidden' },
    ...lines.slice(0, height).map((line, index) => h(LineView, { key: index, line, width })),
  );
}
