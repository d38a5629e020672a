/** Sudoku board geometry (src/data/sudoku/geometry.ts): units, peers, box/line intersections, box shapes. */
import { SudokuGeometry, defaultSudokuBox, defaultSudokuBoxForCells } from '../../../src/data/sudoku/geometry';
import { hasErrorCode } from '../../../src/util/errors';
import { errorOf } from '../../helpers/errors';
import * as subject from '../../../src/data/sudoku/geometry';
import { expectInvalidArgument } from '../../helpers/errors';

/** Unit u of a geometry as a list of cells. */
const unit = (g: SudokuGeometry, u: number) => [...g.units.subarray(u * g.n, (u + 1) * g.n)];

describe('box shapes', () => {
  test('4, 6 and 9 imply 2x2, 2x3 and 3x3 boxes; other sides and cell counts imply none', () => {
    expect([defaultSudokuBox(4), defaultSudokuBox(6), defaultSudokuBox(9), defaultSudokuBox(5)]).toEqual([{ rows: 2, cols: 2 }, { rows: 2, cols: 3 }, { rows: 3, cols: 3 }, undefined]);
    expect([defaultSudokuBoxForCells(16), defaultSudokuBoxForCells(36), defaultSudokuBoxForCells(81)]).toEqual([{ rows: 2, cols: 2 }, { rows: 2, cols: 3 }, { rows: 3, cols: 3 }]);
    expect([defaultSudokuBoxForCells(80), defaultSudokuBoxForCells(25)]).toEqual([undefined, undefined]);
    const box = defaultSudokuBox(9)!;
    box.rows = 1; // a copy: the table stays as it was
    expect(defaultSudokuBox(9)).toEqual({ rows: 3, cols: 3 });
  });
});

describe('SudokuGeometry', () => {
  test('9x9: rows, then columns, then boxes; 20 peers per cell; one instance per box shape', () => {
    const g = SudokuGeometry.of({ rows: 3, cols: 3 });
    expect([g.n, g.cells, g.full, g.peerCount, g.units.length]).toEqual([9, 81, 0x1ff, 20, 3 * 81]);
    expect(unit(g, 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]); // row 1
    expect(unit(g, 9)).toEqual([0, 9, 18, 27, 36, 45, 54, 63, 72]); // column 1
    expect(unit(g, 18 + 4)).toEqual([30, 31, 32, 39, 40, 41, 48, 49, 50]); // the centre box
    const peersOf0 = [...g.peers.subarray(0, g.peerCount)];
    expect(peersOf0).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 18, 19, 20, 27, 36, 45, 54, 63, 72]);
    expect(SudokuGeometry.of({ rows: 3, cols: 3 })).toBe(g);
    expect(SudokuGeometry.forCells(81)).toBe(g);
  });

  test('6x6 with 2x3 boxes: boxes are 2 rows by 3 columns, every unit holds each cell once', () => {
    const g = SudokuGeometry.forCells(36);
    expect(unit(g, 12)).toEqual([0, 1, 2, 6, 7, 8]);
    expect(unit(g, 13)).toEqual([3, 4, 5, 9, 10, 11]);
    expect(unit(g, 14)).toEqual([12, 13, 14, 18, 19, 20]);
    for (let kind = 0; kind < 3; kind++) {
      const cells = Array.from({ length: g.n }, (_, u) => unit(g, kind * g.n + u)).flat().sort((a, b) => a - b);
      expect(cells).toEqual(Array.from({ length: 36 }, (_, i) => i));
    }
    expect(g.peerCount).toBe(5 + 5 + 2); // row and column, plus the box cells in neither
  });

  test('box/line intersections: each box meets its rows and columns; segment, line rest and box rest partition them', () => {
    const g = SudokuGeometry.of({ rows: 2, cols: 3 });
    expect(g.intersectionStarts.length).toBe(g.n * (2 + 3)); // each box meets 2 rows and 3 columns
    for (let k = 0; k < g.intersectionStarts.length; k++) {
      const [seg, lineRest, boxRest] = g.intersectionSizes.subarray(3 * k, 3 * k + 3);
      expect(seg + lineRest).toBe(g.n);
      expect(seg + boxRest).toBe(g.n);
      const start = g.intersectionStarts[k];
      const cells = [...g.intersections.subarray(start, start + seg + lineRest + boxRest)];
      expect(new Set(cells).size).toBe(cells.length); // disjoint
    }
    // The first entry: box 1 and row 1 share cells 0, 1, 2.
    const [s0, l0, b0] = g.intersectionSizes.subarray(0, 3);
    expect([...g.intersections.subarray(0, s0)]).toEqual([0, 1, 2]);
    expect([...g.intersections.subarray(s0, s0 + l0)]).toEqual([3, 4, 5]);
    expect([...g.intersections.subarray(s0 + l0, s0 + l0 + b0)]).toEqual([6, 7, 8]);
  });

  test('bad box shapes and cell counts are INVALID_ARGUMENT errors', () => {
    for (const box of [{ rows: 0, cols: 3 }, { rows: 2.5, cols: 2 }, { rows: 5, cols: 4 }, undefined as never]) {
      expect(hasErrorCode(errorOf(() => SudokuGeometry.of(box)), 'INVALID_ARGUMENT')).toBe(true);
    }
    expect(errorOf(() => SudokuGeometry.forCells(80)).message).toMatch(/cannot infer the sudoku size from 80 cells/);
    expect(errorOf(() => SudokuGeometry.forCells(16, { rows: 3, cols: 3 })).message).toBe('a 3x3-box sudoku has 81 cells, got 16');
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('new SudokuGeometry, SudokuGeometry.of and forCells describe a bad box (cyclic or bigint too) and cell count', () => {
    const cyclic: Record<string, unknown> = { rows: 3 };
    cyclic.cols = cyclic;
    const Construct = subject.SudokuGeometry as unknown as new (box: unknown) => unknown;
    expectInvalidArgument(() => new Construct(undefined), 'SudokuGeometry: box must be a box shape {rows, cols}, got undefined');
    expectInvalidArgument(() => subject.SudokuGeometry.of(cyclic as never), 'SudokuGeometry.of(): box must have integer sides >= 1 with rows * cols <= 16; got rows number 3, cols an object');
    expectInvalidArgument(() => subject.SudokuGeometry.of({ rows: 3n, cols: 3 } as never), 'got rows bigint 3n, cols number 3');
    expectInvalidArgument(() => subject.SudokuGeometry.forCells('81' as never), 'SudokuGeometry.forCells(): cells must be a non-negative integer, got string "81"');
    expectInvalidArgument(() => subject.SudokuGeometry.forCells(81, 3 as never), 'SudokuGeometry.forCells(): box must be a box shape {rows, cols}, got number 3');
  });
});
