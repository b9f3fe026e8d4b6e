// Styled text lines, the unit every panel is built from: pure data, so panels are tested as text.
import { type Tone, TONE_COLORS } from './levels.ts';

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

export type Line = Segment[];

export function plain(text: string): Segment {
  return { text };
}

export function toned(text: string, tone: Tone, bold = tone === 'critical'): Segment {
  return { text, color: TONE_COLORS[tone], ...(bold ? { bold } : {}) };
}

export function dim(text: string): Segment {
  return { text, dim: true };
}

export function lineText(line: Line): string {
  return line.map((segment) => segment.text).join('');
}

export function lineWidth(line: Line): number {
  return line.reduce((sum, segment) => sum + segment.text.length, 0);
}

// Control characters (a newline in a command line, an escape sequence in a process name or an
// alert's text) would move the cursor or restyle the terminal: each becomes a space.
export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += isControl(text.charCodeAt(i)) ? ' ' : text[i];
  return out;
}

// Cuts a line to width characters, keeping each segment's style; control characters become spaces.
export function cutLine(line: Line, width: number): Line {
  const out: Line = [];
  let left = Math.max(0, width);
  for (const segment of line) {
    if (left <= 0) break;
    const text = printable(segment.text.slice(0, left));
    out.push({ ...segment, text });
    left -= text.length;
  }
  return out;
}

// Joins items into as few lines as fit width, separated by gap spaces; an item wider than the
// line gets a line of its own (cut when rendered).
export function packItems(items: readonly Line[], width: number, gap = 2): Line[] {
  const lines: Line[] = [];
  let current: Line = [];
  let used = 0;
  for (const item of items) {
    const size = lineWidth(item);
    if (used > 0 && used + gap + size > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    if (used > 0) {
      current.push(plain(' '.repeat(gap)));
      used += gap;
    }
    current.push(...item);
    used += size;
  }
  if (used > 0) lines.push(current);
  return lines;
}

// Appends the optional parts to the line in order while they fit width.
export function withOptional(line: Line, optional: readonly Line[], width: number, gap = 2): Line {
  const out = [...line];
  let used = lineWidth(out);
  for (const part of optional) {
    const size = lineWidth(part) + gap;
    if (used + size > width) continue;
    out.push(plain(' '.repeat(gap)), ...part);
    used += size;
  }
  return out;
}
