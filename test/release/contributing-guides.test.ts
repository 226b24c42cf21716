// Jest (release): CONTRIBUTING.md's "How to add …" guides name only files that exist, for both action nodes.
// A guide that names a moved or renamed file fails here, so the guides cannot drift from the layout.
import { readRepoFile, repoFileExists } from '../helpers/repo-files';

const contributing = readRepoFile('CONTRIBUTING.md');
const start = contributing.indexOf('## How to add');
const end = contributing.indexOf('\n## ', start + 1);
const guides = contributing.slice(start, end);

/** Each guide (### heading) with the repository paths it names in backticks (placeholders like <Node> aside). */
const sections = guides
	.split('\n### ')
	.slice(1)
	.map((section) => {
		const title = section.slice(0, section.indexOf('\n'));
		const paths = [...section.matchAll(/`([^`\s]+)`/g)]
			.map((m) => m[1])
			.filter((text) => /^(nodes|credentials|scripts|test|docs|examples)\/[^<>*]+$/.test(text) || /^[A-Z]+\.md$/.test(text));
		return [title, paths] as [string, string[]];
	});

test('the guides are there: an operation, a credential, a webhook event', () => {
	expect(start).toBeGreaterThan(0);
	expect(sections.map(([title]) => title)).toEqual(['An operation (either action node)', 'A credential', 'A Rankr webhook event']);
});

test.each(sections)('"%s" names only files that exist', (_, paths) => {
	expect(paths.length).toBeGreaterThan(3);
	expect(paths.filter((file) => !repoFileExists(file))).toEqual([]);
});

test('the operation guide holds for both action nodes', () => {
	const [, paths] = sections[0];
	for (const node of ['nodes/EmailApi/', 'nodes/ActivateProUser/']) {
		expect(paths.filter((file) => file.startsWith(node)).length).toBeGreaterThanOrEqual(3);
	}
});
