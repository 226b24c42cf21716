// Harness: the deletion record (a data table) in a running n8n; for stack.mjs, story.mjs and the e2e suite.
// The deletion record in a running n8n: the data table the deletion flow archives into and the status
// dashboard reads. n8n's built-in Data Tables (a default module of n8n 1.123 and 2.41: no setting) are found by
// id, and n8n 1.123's Data Table node knows no "by name", so the examples carry a placeholder id; this makes
// the table in the owner's project and writes its id into the imported flows before they are activated.
import { Failure } from './proc.mjs';

export const ARCHIVE_TABLE = 'Rankr deleted users';
/** The id the examples give the table; replaced by the real one in a running n8n. */
export const ARCHIVE_PLACEHOLDER = 'rankr-deleted-users';

/** One row per deleted user (see docs/workflows.md, "The deletion record"). Dates are ISO text: the same on 1.x and 2.x. */
export const ARCHIVE_COLUMNS = ['userId', 'emailHash', 'webhookId', 'deletedAt', 'held', 'removed', 'workflows', 'status', 'removedAt', 'snapshot'].map(
	(name) => ({ name, type: name === 'workflows' ? 'number' : 'string' }),
);

/** The Data Table nodes of a workflow that point at the placeholder. */
function archiveNodes(workflow) {
	return workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.dataTable' && node.parameters?.dataTableId?.value === ARCHIVE_PLACEHOLDER);
}

/**
 * Creates the archive table (when an example uses it) and points the examples' Data Table nodes at it.
 * Returns { projectId, id } or undefined.
 */
export async function createArchiveTable(rest, examples) {
	const users = examples.filter(({ workflow }) => archiveNodes(workflow).length > 0);
	if (users.length === 0) return undefined;
	const project = await rest.request('GET', '/projects/personal');
	if (!project?.id) throw new Failure('n8n did not say which project is the owner\'s (GET /rest/projects/personal)');
	const table = await rest.request('POST', `/projects/${encodeURIComponent(project.id)}/data-tables`, { name: ARCHIVE_TABLE, columns: ARCHIVE_COLUMNS });
	if (!table?.id) throw new Failure(`n8n made no data table: ${JSON.stringify(table).slice(0, 300)}`);
	for (const { workflow } of users) {
		const stored = await rest.workflow(workflow.id);
		for (const node of archiveNodes(stored)) node.parameters.dataTableId = { __rl: true, mode: 'id', value: table.id };
		await rest.request('PATCH', `/workflows/${encodeURIComponent(workflow.id)}`, { ...stored, nodes: stored.nodes });
	}
	return { projectId: project.id, id: table.id };
}

/** The archive's rows, oldest first. */
export async function archiveRows(rest, table) {
	const data = await rest.request('GET', `/projects/${encodeURIComponent(table.projectId)}/data-tables/${encodeURIComponent(table.id)}/rows?take=1000`);
	return data?.data ?? [];
}
