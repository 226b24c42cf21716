// Reads HighLevel's OpenAPI documents from ../shared/specs/highlevel (beside the checkout) for openapi.ts.
const fs = require('node:fs');
const path = require('node:path');

const SPEC_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'specs', 'highlevel');

/** The parsed JSON of one spec file, by file name. */
function readSpec(file) {
	return JSON.parse(fs.readFileSync(path.join(SPEC_DIR, file), 'utf8'));
}

module.exports = { readSpec, SPEC_DIR };
