// Stops early, with a plain message, on a Node.js older than the one semix needs.
const REQUIRED_MAJOR = 20;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= REQUIRED_MAJOR)) {
  console.error(
    `semix needs Node.js ${REQUIRED_MAJOR} or newer; this is Node.js ${process.versions.node}. ` +
      'Install Node.js 20+ (https://nodejs.org) and run the command again.',
  );
  process.exit(1);
}
