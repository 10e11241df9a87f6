/** Human output: tables that line up with Chinese text, and colour only on a terminal that wants it. */
import { describe, expect, it } from 'vitest';
import { cell, displayWidth, type Io, Output, renderTable, truncate } from '../../src/cli/output.ts';

const io = (isTTY: boolean, env: Record<string, string> = {}): Io => ({
  stdout: { write: () => true, isTTY },
  stderr: { write: () => true },
  env,
  cwd: '/',
});

describe('tables', () => {
  it('counts East Asian characters as two cells, so columns line up', () => {
    expect(displayWidth('贵阳市')).toBe(6);
    expect(displayWidth('GZ520102001')).toBe(11);
    expect(displayWidth('（平方米）')).toBe(10);
    expect(
      renderTable(
        [{ header: 'city' }, { header: 'clinics', right: true }],
        [
          ['贵阳市', 121],
          ['六盘水市', 29],
        ],
      ),
    ).toEqual(['city      clinics', '────────  ───────', '贵阳市        121', '六盘水市       29']);
  });

  it('cuts long cells to their column, and shows values as they are', () => {
    expect(truncate('黔西南布依族苗族自治州', 10)).toBe('黔西南布…');
    expect(cell(106.753947)).toBe('106.753947');
    expect(cell(0.1 + 0.2)).toBe('0.3');
    expect(cell(2026)).toBe('2026');
    expect(cell(null)).toBe('');
    expect(cell('line one\nline two')).toBe('line one ⏎ line two');
  });
});

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR, TERM=dumb or --json', () => {
    expect(new Output(io(true)).color).toBe(true);
    expect(new Output(io(false)).color).toBe(false);
    expect(new Output(io(true, { NO_COLOR: '1' })).color).toBe(false);
    expect(new Output(io(true, { TERM: 'dumb' })).color).toBe(false);
    expect(new Output(io(true), { json: true }).color).toBe(false);
    expect(new Output(io(false)).style('x', 'bold')).toBe('x');
  });
});
