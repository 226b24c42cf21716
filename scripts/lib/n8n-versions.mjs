// Harness: the n8n versions the package is tested on; for lib/n8n.mjs, the versions suite and prepare-machine.sh.
// The n8n versions the package is tested on. `latest` is the default everywhere (demo, tests, benchmarks);
// `lts` is the 1.x line many self-hosters still run, and the real-n8n suites run on it too (npm test).
// scripts/install-n8n.sh picks the Node each one runs on (2.x: Node 24, 1.x: Node 22).
export const N8N_RELEASES = { latest: '2.41.0', lts: '1.123.81' };
export const N8N_VERSIONS = Object.values(N8N_RELEASES);
export const DEFAULT_N8N_VERSION = N8N_RELEASES.latest;

/** "lts", "latest" or an exact version such as 1.123.81. */
export function resolveN8nVersion(name) {
	return N8N_RELEASES[name] ?? name;
}

// `node scripts/lib/n8n-versions.mjs` prints the tested versions, one line (for the shell scripts).
if (import.meta.url === `file://${process.argv[1]}`) console.log(N8N_VERSIONS.join(' '));
