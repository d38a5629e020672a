/**
 * Breadth-first search over the open cells of a square grid, in the neighbour order of the
 * reference's labelling rule; shared by the solver and the generator.
 * @module
 */

/**
 * Breadth-first search over the open cells of an n x n grid. The neighbour order of the labelling
 * rule is built in: down (r+1, c), left (r, c-1), right (r, c+1), up (r-1, c). Cells are marked
 * visited when first discovered, so a cell's parent is the first cell that discovers it.
 * Visited marks are stamps, so a search costs O(cells reached), not O(grid).
 */
export class GridSearch {
  /** n * n */
  readonly cells: number;
  /** 1 where a cell is not a wall; set by the caller before run() */
  readonly open: Uint8Array;
  /** distance from the source, valid for visited cells */
  readonly dist: Int32Array;
  /** the cell that discovered each visited cell (-1 for the source) */
  readonly parent: Int32Array;
  /** Cells in the order they were discovered (non-decreasing distance); valid for [0, count). */
  readonly order: Int32Array;
  /** cells discovered by the last run */
  count = 0;
  private readonly seen: Uint32Array;
  private stamp = 0;
  /** Neighbours of cell c at [4c, 4c + 4): down, left, right, up; -1 outside the grid. */
  private readonly nbr: Int32Array;

  /** A search over an n x n grid. */
  constructor(readonly n: number) {
    this.cells = n * n;
    this.open = new Uint8Array(this.cells);
    this.dist = new Int32Array(this.cells);
    this.parent = new Int32Array(this.cells);
    this.order = new Int32Array(this.cells);
    this.seen = new Uint32Array(this.cells);
    this.nbr = new Int32Array(4 * this.cells);
    for (let c = 0; c < this.cells; c++) {
      const r = Math.floor(c / n);
      const col = c - r * n;
      this.nbr[4 * c] = r + 1 < n ? c + n : -1;
      this.nbr[4 * c + 1] = col > 0 ? c - 1 : -1;
      this.nbr[4 * c + 2] = col + 1 < n ? c + 1 : -1;
      this.nbr[4 * c + 3] = r > 0 ? c - n : -1;
    }
  }

  /** Marks the open cells of a maze string (every cell that is not '#'). */
  openFrom(grid: string): void {
    for (let i = 0; i < grid.length; i++) this.open[i] = grid[i] === '#' ? 0 : 1;
  }

  /** True if the last run reached cell c. */
  visited(c: number): boolean {
    return this.seen[c] === this.stamp;
  }

  /** Searches from `src` (stops early once `stopAt` is discovered); returns the last cell reached. */
  run(src: number, stopAt = -1): number {
    const { open, dist, parent, order, seen, nbr } = this;
    if (++this.stamp === 0xffffffff) {
      seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    seen[src] = stamp;
    dist[src] = 0;
    parent[src] = -1;
    order[0] = src;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const c = order[head++];
      const d = dist[c] + 1;
      // nbr lists down, left, right, up: the order that reproduces the reference labels (see solveMaze)
      for (let k = 4 * c, end = k + 4; k < end; k++) {
        const v = nbr[k];
        if (v < 0 || open[v] === 0 || seen[v] === stamp) continue;
        seen[v] = stamp;
        dist[v] = d;
        parent[v] = c;
        order[tail++] = v;
        if (v === stopAt) {
          this.count = tail;
          return v;
        }
      }
    }
    this.count = tail;
    return order[tail - 1];
  }
}
