// Jest helper: reads the contracts beside the checkout (../shared); for openapi.ts and the conformance suite.
// Reads the contracts beside the checkout: HighLevel's OpenAPI documents (../shared/specs/highlevel) for openapi.ts,
// and the seeds (../shared/seeds) whose examples the conformance suite replays.
const fs = require('node:fs');
const path = require('node:path');

const SHARED_DIR = path.join(__dirname, '..', '..', '..', 'shared');
const SPEC_DIR = path.join(SHARED_DIR, 'specs', 'highlevel');
const SEED_DIR = path.join(SHARED_DIR, 'seeds');

/** The parsed JSON of one spec file, by file name. */
function readSpec(file) {
	return JSON.parse(fs.readFileSync(path.join(SPEC_DIR, file), 'utf8'));
}

/** The text of the seed whose file name starts with `number` and an underscore (e.g. "003"). */
function readSeed(number) {
	const file = fs.readdirSync(SEED_DIR).find((name) => name.startsWith(`${number}_`));
	if (!file) throw new Error(`no seed ${number}_* in ${SEED_DIR}`);
	return fs.readFileSync(path.join(SEED_DIR, file), 'utf8');
}

module.exports = { readSeed, readSpec, SPEC_DIR };
