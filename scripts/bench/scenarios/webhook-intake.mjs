// Scenario (planned): webhook intake in real n8n: Rankr events POSTed to an active workflow's Rankr
// Trigger webhook, measured as deliveries per second and latency percentiles against a plain HTTP floor.
//
// The hook: a scenario is { id, title, planned?, run(ctx) -> { rows, info } } (see run.mjs). To add this
// one: start real n8n with `n8n start` (lib/n8n.mjs has the install, environment and import steps; a
// start() beside execute() is what is missing), activate a workflow with the Rankr Trigger, sign each
// delivery like the Rankr sandbox does (test/sandbox/rankr.js), fire them with a fixed concurrency, and
// return rows shaped like the other scenarios' (scenario, variant, n, wallMs, ratioToFloor, cores, node…).
// Then drop `planned: true`.
export const webhookIntake = {
	id: 'webhook',
	title: 'Webhook intake in real n8n (planned)',
	planned: true,
	async run() {
		return { rows: [], info: { planned: true } };
	},
};
