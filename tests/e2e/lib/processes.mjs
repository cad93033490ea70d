// Child processes that must never outlive us: each runs in its own process group (so `dotnet run`
// and its app die together) and is killed by group id on stop, on our exit and on signals.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const live = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

// Last resort when the parent exits without an orderly stop (crash, test runner exit).
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/**
 * Starts `command args` in its own process group. Output goes to `logFile` (if given) and to
 * `onLine` line by line. Returns the ChildProcess with `stop()` and `exited` (a promise of the exit code).
 */
export function startManaged(command, args, { cwd, env, logFile, onLine, name = command } = {}) {
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true, // new process group: kill(-pid) reaches its children too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.displayName = name;
  live.add(child);
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log?.write(chunk);
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        onLine?.(line);
      }
    });
  }
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      log?.end();
      resolve(code ?? signal);
    });
    child.on('error', (err) => {
      live.delete(child);
      log?.end();
      resolve(`spawn error: ${err.message}`);
    });
  });
  child.stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exited;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    const code = await child.exited;
    clearTimeout(timer);
    // The group may still hold grandchildren after the leader exits.
    killGroup(child, 'SIGKILL');
    return code;
  };
  return child;
}

export function liveProcesses() {
  return [...live];
}
