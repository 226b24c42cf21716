// Jest (release): the built package's node versions. Version 1 is what 0.1.0 shipped: its description stays as
// frozen in descriptions-v1.json, and every workflow saved with it (the examples) keeps every parameter as saved.
// A breaking change ships as a new version beside it (nodes/<Node>/v2/), never as an edit of v1.
// Reads dist/ through package.json's n8n section, as n8n does: run `npm run build` first (npm test does).
import { NodeHelpers, type INode, type INodeType, type IVersionedNodeType } from 'n8n-workflow';

import { loadBuiltPackage } from '../../scripts/engine/built-package';
import { listRepoDir, readRepoFile } from '../helpers/repo-files';

const built = loadBuiltPackage();
const frozen = JSON.parse(readRepoFile('test/release/descriptions-v1.json')) as {
	nodes: Record<string, unknown>;
	credentials: Record<string, unknown>;
};
/** A description as n8n stores and sends it: JSON, functions dropped. */
const serialised = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const nodes = Object.entries(built.nodes) as Array<[string, INodeType | IVersionedNodeType]>;

describe.each(nodes)('%s', (type, node) => {
	const versioned = node as IVersionedNodeType;

	test('declares its versions, version 1 the default until a v2 ships', () => {
		expect(node.description.defaultVersion).toBe(1);
		// The action nodes are n8n VersionedNodeTypes (a class per version); the trigger is one class whose
		// `version` lists them (RankrTrigger.node.ts says why).
		const versions = versioned.nodeVersions ?? { 1: node as INodeType };
		expect(Object.keys(versions)).toContain('1');
		for (const [version, each] of Object.entries(versions)) {
			const declared = each.description.version;
			expect(Array.isArray(declared) ? declared : [declared]).toContain(Number(version));
		}
	});

	test('version 1 is described exactly as 0.1.0 shipped it', () => {
		expect(serialised(NodeHelpers.getVersionedNodeType(versioned, 1).description)).toEqual(frozen.nodes[type]);
	});
});

test.each(Object.entries(built.credentials))('the %s credential is described exactly as 0.1.0 shipped it', (name, credential) => {
	expect(serialised(credential)).toEqual(frozen.credentials[name]);
});

/** Every node of this package in the example workflows: each was saved with version 1. */
const saved = (listRepoDir('examples') as string[])
	.filter((file) => file.endsWith('.json'))
	.flatMap((file) =>
		(JSON.parse(readRepoFile(`examples/${file}`)) as { nodes: INode[] }).nodes
			.filter((n) => n.type.startsWith(`${built.name}.`))
			.map((n) => [`${file}: ${n.name}`, n] as [string, INode]),
	);
/** n8n runs the "<node>Tool" variant it makes for AI agents with the node's own code and description. */
const baseType = (type: string) => type.replace(/Tool$/, '');

test('the examples hold nodes of every type this package has', () => {
	const types = new Set(saved.map(([, n]) => baseType(n.type)));
	for (const [type] of nodes) expect(types).toContain(type);
});

test.each(saved)('%s, saved with version 1, keeps every parameter as saved and has no issues', (_, savedNode) => {
	expect(savedNode.typeVersion).toBe(1);
	const description = NodeHelpers.getVersionedNodeType(built.nodes[baseType(savedNode.type)], savedNode.typeVersion).description;
	// What n8n's editor and engine read from the saved node: nothing dropped, nothing changed.
	const read = NodeHelpers.getNodeParameters(description.properties, savedNode.parameters, true, false, savedNode, description);
	// n8n adds the tool's own description fields to the "<node>Tool" variant.
	const { descriptionType, toolDescription, ...parameters } = savedNode.parameters;
	void [descriptionType, toolDescription];
	expect(read).toMatchObject(savedNode.type.endsWith('Tool') ? parameters : savedNode.parameters);
	expect(NodeHelpers.getNodeParametersIssues(description.properties, savedNode, description)).toBeNull();
});
