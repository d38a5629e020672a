'use strict';
// npm install hook: builds the addon (scripts/build-native.js), unless the user opted out
// (HRM_TORCH_SKIP_BUILD=1, for packaging steps that build later).
//
// npm runs a dependency's install script with its output hidden (shown only when it fails, or
// with `npm install --foreground-scripts`; a project's own install script is shown), and this one
// can take minutes. So when the output is hidden, all of it goes to a log file instead, the steps
// (the "hrm-torch: ..." lines) are written to the terminal directly where there is one, and a
// failure ends with the output's tail and the log's path, which npm prints.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(__dirname, 'build-native.js');

if (process.env.HRM_TORCH_SKIP_BUILD) {
  process.stderr.write('hrm-torch: HRM_TORCH_SKIP_BUILD is set, not building the native addon\n');
  process.exit(0);
}

/** Whether npm hides this script's output: npm installs hrm-torch as a dependency (run from another folder), not in the foreground. */
function outputHidden(env = process.env) {
  if (!env.npm_lifecycle_event || env.npm_config_foreground_scripts === 'true' || process.stdout.isTTY) return false;
  const real = (p) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return !env.INIT_CWD || real(env.INIT_CWD) !== real(ROOT);
}
const hidden = outputHidden();

if (!hidden) {
  const child = spawn(process.execPath, [BUILD], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code === null ? 1 : code));
} else {
  runLogged();
}

/**
 * The log file: HRM_TORCH_INSTALL_LOG, else hrm-torch-install.log in the temp folder (not in the
 * package: npm deletes a package whose install failed, and its log with it).
 */
function openLog() {
  const candidates = process.env.HRM_TORCH_INSTALL_LOG
    ? [path.resolve(process.env.INIT_CWD || process.cwd(), process.env.HRM_TORCH_INSTALL_LOG)]
    : [path.join(os.tmpdir(), 'hrm-torch-install.log'), path.join(os.tmpdir(), `hrm-torch-install-${process.pid}.log`)];
  for (const file of candidates) {
    try {
      return { file, fd: fs.openSync(file, 'w') };
    } catch {
      // not writable (another user's file, say): try the next
    }
  }
  return undefined;
}

/** The controlling terminal, written to directly (npm shows nothing else while it installs); undefined in CI or without one. */
function openTerminal() {
  if (process.env.CI || process.platform === 'win32') return undefined;
  try {
    return fs.openSync('/dev/tty', 'w');
  } catch {
    return undefined;
  }
}

function runLogged() {
  const log = openLog();
  const tty = openTerminal();
  // npm draws a spinner on the terminal's last line: start each line of ours at column 1, cleared.
  const say = (line) => {
    if (tty === undefined) return;
    try {
      fs.writeSync(tty, `\r\x1b[K${line}\n`);
    } catch {
      // the terminal went away: the log still has everything
    }
  };
  say(`hrm-torch: building the native addon (a minute or two; several more if libtorch is downloaded)${log ? `; progress in ${log.file}` : ''}`);
  const tail = [];
  let partial = '';
  const take = (chunk) => {
    if (log) fs.writeSync(log.fd, chunk);
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    partial = lines.pop();
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith('hrm-torch: ')) say(line);
    }
  };
  const child = spawn(process.execPath, [BUILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  // 'close', not 'exit': by then the pipes are drained and the tail is complete.
  child.on('close', (code, signal) => {
    if (partial) tail.push(partial);
    if (log) fs.closeSync(log.fd);
    const ok = code === 0;
    if (!ok) {
      // npm prints what a failed script wrote: the end of the build's output and where the rest is.
      process.stderr.write(`${tail.join('\n')}\n\nhrm-torch: building the native addon failed (${signal ?? `exit ${code}`}).`);
      process.stderr.write(log ? ` The whole output: ${log.file}\n` : '\n');
      say(`hrm-torch: building the native addon failed${log ? `; see ${log.file}` : ''}`);
    }
    process.exit(ok ? 0 : 1);
  });
}
