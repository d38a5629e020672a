/** What a folder holds, to show that a refused command touched nothing. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Every file under `dir` (relative path) with its size, modification time and content hash. */
export function folderSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    if (!st.isFile()) continue;
    out[name] = `${st.size} bytes, mtime ${st.mtimeMs}, sha256 ${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  }
  return out;
}
