// npm run local-action: runs the action from source (src/main.ts) with @github/local-action, the
// way GitHub documents local debugging, against the local emulator on 127.0.0.1:8787. Inputs come
// from .env when present, else from .env.example.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmulator } from '../emulator/server.ts';

const root = resolve(import.meta.dirname, '..');
const envFile = existsSync(join(root, '.env')) ? '.env' : '.env.example';
// Reuse an emulator already listening on 8787 (e.g. `node emulator/cli.ts`) instead of failing.
const emulator = await startEmulator({ port: 8787 }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.log('Port 8787 is in use: assuming the emulator started by `node emulator/cli.ts` is running there.');
  return undefined;
});
console.log(`Emulator: http://127.0.0.1:8787/client/v4 (inputs from ${envFile})`);
try {
  const cli = join(root, 'node_modules', '.bin', 'local-action');
  const code = await new Promise<number | null>((done) => {
    spawn(cli, ['run', '.', 'src/main.ts', envFile], { cwd: root, stdio: 'inherit' }).on('close', done);
  });
  process.exitCode = code ?? 1;
} finally {
  await emulator?.close();
}
