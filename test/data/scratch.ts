/** Scratch folders for the data tests: made on demand, removed after the test file's last test. */
import * as fs from 'fs';
import { tmpDir } from '../helpers/reference';

/** A function that makes a new scratch folder named `<prefix>...` each call; all are removed in afterAll. */
export function scratchFolders(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = tmpDir(prefix);
    dirs.push(d);
    return d;
  };
}
