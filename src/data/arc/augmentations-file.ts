/**
 * augmentations.json of a built ARC dataset: index = puzzle identifier, value = {task, dihedral,
 * colourMap} (null at 0, the blank), what the scoring needs to undo the augmentations (hrm-spec
 * 7.2, pitfall 18). Written as a stream, one element per line: a full ARC-1 build has ~960k.
 * Also the canvas of a built dataset, read back from its dataset.json.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { AtomicFile } from '../../util/atomic';
import { invalidArgument, invalidData } from '../../util/errors';
import { ARC_AUGMENTATIONS_FILE, METADATA_FILE, readMetadata } from '../format/dataset';
import { arcCanvasOfSeqLen } from './codec';
import { ArcAugmentationRecord } from './types';
import { checkPath } from '../../util/path';

// The names of a dataset folder's files are the format's (one list, which the builders' folder check uses).
export { ARC_AUGMENTATIONS_FILE, ARC_TEST_PUZZLES_FILE } from '../format/dataset';

/** Streams a large JSON array to a file, one element per line, then renames it into place. */
class JsonArrayWriter {
  private readonly out: AtomicFile;
  private count = 0;
  private buf: string[] = [];

  constructor(readonly file: string) {
    this.out = new AtomicFile(file);
    this.out.write('[');
  }

  push(value: unknown): void {
    this.buf.push((this.count++ ? ',\n' : '\n') + JSON.stringify(value));
    if (this.buf.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.buf.length) this.out.write(this.buf.join(''));
    this.buf = [];
  }

  close(): void {
    this.flush();
    this.out.write('\n]\n');
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

/**
 * Writes `<datasetDir>/augmentations.json` for identifiers 0..count-1 (atomically): null for the
 * blank, then `recordOf(id)` for every other identifier.
 */
export function writeArcAugmentations(datasetDir: string, count: number, recordOf: (id: number) => ArcAugmentationRecord): void {
  checkPath(datasetDir, 'writeArcAugmentations(): datasetDir');
  const out = new JsonArrayWriter(path.join(datasetDir, ARC_AUGMENTATIONS_FILE));
  try {
    out.push(null);
    for (let id = 1; id < count; id++) out.push(recordOf(id));
  } catch (e) {
    out.abort();
    throw e;
  }
  out.close();
}

/** Reads augmentations.json of a built dataset: index = puzzle identifier, null for the blank. */
export function readArcAugmentations(datasetDir: string): (ArcAugmentationRecord | null)[] {
  checkPath(datasetDir, 'readArcAugmentations(): datasetDir');
  const file = path.join(datasetDir, ARC_AUGMENTATIONS_FILE);
  if (!fs.existsSync(file)) throw invalidArgument(`${file} does not exist (was ${datasetDir} built by buildArcDataset?)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as (ArcAugmentationRecord | null)[];
}

/**
 * The canvas side of a built ARC dataset: the square root of `seq_len` in the dataset.json of its
 * test split (or of its train split when it has none). The canvas is not stored separately: the
 * reference's dataset.json has a fixed set of keys, and seq_len = canvas^2 determines it.
 * Throws `INVALID_ARGUMENT` when neither split exists, `INVALID_DATA` when the seq_len is no canvas.
 */
export function readArcCanvas(datasetDir: string): number {
  checkPath(datasetDir, 'readArcCanvas(): datasetDir');
  const split = ['test', 'train'].map((s) => path.join(datasetDir, s)).find((d) => fs.existsSync(path.join(d, METADATA_FILE)));
  if (!split) throw invalidArgument(`${datasetDir} has no train/dataset.json or test/dataset.json (was it built by buildArcDataset?)`);
  const { seq_len } = readMetadata(split);
  try {
    return arcCanvasOfSeqLen(seq_len, `${path.join(split, METADATA_FILE)}: seq_len`);
  } catch (e) {
    throw invalidData((e as Error).message);
  }
}
