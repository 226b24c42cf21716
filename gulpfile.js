// Copies what tsc does not emit into dist/: node and credential icons, and the codex (.node.json) files.
const path = require('node:path');
const { src, dest, task } = require('gulp');

function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	);
}

task('build:icons', copyAssets);
