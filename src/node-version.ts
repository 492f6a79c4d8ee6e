// Imported first by index.ts, so it runs before any dependency is evaluated: on an older Node,
// undici fails at load time with a TypeError that says nothing about the cause.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `This action runs on Node 24 (action.yml: runs.using: node24); this is Node ${process.versions.node}.\n`,
  );
  process.exit(1);
}
