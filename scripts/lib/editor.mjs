// Harness: the n8n editor in a headless Chromium (canvas names, screenshots); for test/e2e/flows.e2e.mjs.
// The n8n editor in a headless Chromium (Debian's, through playwright-core: no browser download): log in as the
// owner, open each workflow, read the node names off the canvas, save a PNG screenshot. Every request the
// page makes outside loopback is blocked (and reported), so the screenshots never depend on the network.
import fs from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT } from './n8n.mjs';
import { Failure, run } from './proc.mjs';

/** The names of a workflow's nodes as the canvas shows them: its sticky notes are drawn as notes, not nodes. */
export function canvasNodeNames(workflow) {
	return workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').map((n) => n.name);
}

const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	// Only loopback resolves: anything else the editor reaches for fails fast, offline or not. (Blocking with
	// Playwright's route() instead would turn off the HTTP cache and reload the editor's bundle every page.)
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];
const PAGE_TIMEOUT_MS = 30_000;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Pixels of canvas kept around a flow in its screenshot. */
const FLOW_MARGIN = 32;

/** The Chromium to drive: scripts/install-chromium.sh installs Debian's package when it is missing. */
export async function ensureChromium() {
	const result = await run('bash', [path.join(ROOT, 'scripts', 'install-chromium.sh')], {
		env: process.env,
		cwd: ROOT,
		timeoutMs: 10 * 60_000,
		onStderr: (chunk) => process.stderr.write(chunk),
	});
	if (result.code !== 0) throw new Failure(`scripts/install-chromium.sh failed (exit ${result.code ?? result.signal}${result.timedOut ? ', timed out' : ''})`);
	return result.stdout.trim().split('\n').pop();
}

/** A page of a fresh headless Chromium (`contextOptions`: viewport, login), given to `use`; closed after. */
async function withPage(contextOptions, use) {
	const browser = await chromium.launch({ executablePath: await ensureChromium(), args: CHROMIUM_FLAGS, timeout: PAGE_TIMEOUT_MS });
	try {
		const context = await browser.newContext({ deviceScaleFactor: 1, ...contextOptions });
		context.setDefaultTimeout(PAGE_TIMEOUT_MS);
		return await use(await context.newPage());
	} finally {
		await browser.close();
	}
}

async function logIn(page, editorUrl, owner) {
	await page.goto(`${editorUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
	await page.locator('input[name="password"]').fill(owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	try {
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	} catch {
		throw new Failure(`could not log in to the editor at ${editorUrl} as ${owner.email}`);
	}
}

/** Reports every non-loopback URL the page tries into `outside` (they cannot resolve: see CHROMIUM_FLAGS). */
function watchOutside(page, outside) {
	page.on('request', (request) => {
		const url = new URL(request.url());
		if (/^https?:$/.test(url.protocol) && !LOOPBACK.has(url.hostname)) outside.add(`${url.origin}${url.pathname}`);
	});
}

/**
 * Where the flow is drawn, in the window's pixels: the union of every node (sticky notes too), everything
 * drawn around one (its name and subtitle under it, the trigger mark, the "+" at a loose end), every connection
 * and connection label; only what is shown (a node's hover toolbar is not). And the canvas's own rectangle.
 */
function flowBounds(page) {
	return page.evaluate(() => {
		const pane = document.querySelector('.vue-flow__transformationpane');
		const canvas = document.querySelector('[data-test-id="canvas"]') ?? pane?.closest('.vue-flow');
		if (!pane || !canvas) return undefined;
		const shown = (element) => {
			for (let e = element; e && e !== pane; e = e.parentElement) {
				const style = getComputedStyle(e);
				if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
			}
			return true;
		};
		const rects = [];
		// what of `r` is drawn: a subtitle cut short with an ellipsis is only as wide as the box that clips it
		const add = (r, element) => {
			let { left, top, right, bottom } = r;
			for (let e = element; e && e !== pane; e = e.parentElement) {
				const style = getComputedStyle(e);
				if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
				const box = e.getBoundingClientRect();
				if (style.overflowX !== 'visible') [left, right] = [Math.max(left, box.left), Math.min(right, box.right)];
				if (style.overflowY !== 'visible') [top, bottom] = [Math.max(top, box.top), Math.min(bottom, box.bottom)];
			}
			if (right >= left && bottom >= top && (right > left || bottom > top)) rects.push({ left, top, right, bottom });
		};
		for (const node of pane.querySelectorAll('.vue-flow__node')) if (shown(node)) add(node.getBoundingClientRect(), node.parentElement);
		// the leaves: texts, icons, handles, connection paths (not a marker's definition, drawn only where used)
		for (const e of pane.querySelectorAll('*')) {
			if (e.children.length > 0 || e.closest('defs, marker') || !shown(e)) continue;
			add(e.getBoundingClientRect(), e.parentElement);
		}
		const texts = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT);
		const range = document.createRange();
		for (let text = texts.nextNode(); text; text = texts.nextNode()) {
			if (!text.textContent.trim() || !text.parentElement || !shown(text.parentElement)) continue;
			range.selectNodeContents(text);
			add(range.getBoundingClientRect(), text.parentElement);
		}
		const c = canvas.getBoundingClientRect();
		const box = (left, top, right, bottom) => ({ left, top, right, bottom });
		return {
			canvas: box(c.left, c.top, c.right, c.bottom),
			flow: rects.length === 0 ? undefined : box(Math.min(...rects.map((r) => r.left)), Math.min(...rects.map((r) => r.top)), Math.max(...rects.map((r) => r.right)), Math.max(...rects.map((r) => r.bottom))),
		};
	});
}

/**
 * Zooms the canvas to fit, then out until the whole flow, with `margin` around it, is inside the canvas (n8n's
 * "zoom to fit" fits the nodes' boxes, not the names and subtitles under them). Returns the rectangle to save.
 */
async function fitFlow(page, margin) {
	const fit = page.locator('[data-test-id="zoom-to-fit"]');
	const zoomOut = page.locator('[data-test-id="zoom-out-button"]');
	if (await fit.isVisible()) {
		await fit.click();
		await page.waitForTimeout(600); // the zoom animates
	}
	let bounds = await flowBounds(page);
	for (let step = 0; bounds?.flow && step < 6; step++) {
		const { canvas, flow } = bounds;
		const fits = flow.left - margin >= canvas.left && flow.top - margin >= canvas.top && flow.right + margin <= canvas.right && flow.bottom + margin <= canvas.bottom;
		if (fits || !(await zoomOut.isVisible())) break;
		await zoomOut.click();
		await page.waitForTimeout(400);
		bounds = await flowBounds(page);
	}
	if (!bounds?.flow) return undefined;
	const { canvas, flow } = bounds;
	const left = Math.floor(Math.max(canvas.left, flow.left - margin));
	const top = Math.floor(Math.max(canvas.top, flow.top - margin));
	const right = Math.ceil(Math.min(canvas.right, flow.right + margin));
	const bottom = Math.ceil(Math.min(canvas.bottom, flow.bottom + margin));
	return right > left && bottom > top ? { x: left, y: top, width: right - left, height: bottom - top } : undefined;
}

/**
 * Hides whatever floats over the canvas (the "Execute workflow" button, zoom controls, the buttons at its right
 * edge with "Ask AI", the logs panel's edge, the editor's tabs, tooltips): every element over the canvas's
 * rectangle that is neither the drawing (nodes, connections, the dotted background) nor holds it. Returns a
 * function that shows them again.
 */
async function hideCanvasOverlays(page) {
	const style = await page.addStyleTag({ content: '[data-docs-shot-hidden] { visibility: hidden !important; }' });
	await page.evaluate(() => {
		const pane = document.querySelector('.vue-flow__transformationpane');
		const canvas = document.querySelector('[data-test-id="canvas"]') ?? pane?.closest('.vue-flow');
		if (!pane || !canvas) return;
		const c = canvas.getBoundingClientRect();
		for (const e of document.body.querySelectorAll('*')) {
			if (e.contains(pane) || pane.contains(e) || e.closest('.vue-flow__background')) continue;
			const b = e.getBoundingClientRect();
			if (b.width > 0 && b.height > 0 && b.left < c.right && b.right > c.left && b.top < c.bottom && b.bottom > c.top) e.setAttribute('data-docs-shot-hidden', '');
		}
	});
	return async () => {
		await page.evaluate(() => document.querySelectorAll('[data-docs-shot-hidden]').forEach((e) => e.removeAttribute('data-docs-shot-hidden')));
		await style.evaluate((e) => e.remove());
	};
}

/**
 * Logs in at `editorUrl` and screenshots each workflow into `outDir/<name>.png`, cropped to the whole flow (nodes, names, subtitles,
 * connections) with a margin, nothing floating over it.
 * @param {{editorUrl: string, owner: {email: string, password: string}, workflows: {name: string, workflow: any}[], outDir: string}} options
 * @returns {Promise<{shots: {name: string, file: string, canvasNodes: string[], error?: string}[], outside: string[]}>}
 *   canvasNodes: the node names the canvas shows (a screenshot is saved even when some are missing: error);
 *   outside: the non-loopback URLs the page tried (they cannot resolve)
 */
export async function screenshotWorkflows({ editorUrl, owner, workflows, outDir, log = () => {} }) {
	fs.mkdirSync(outDir, { recursive: true });
	const outside = new Set();
	return withPage({ viewport: { width: 1440, height: 1000 } }, async (page) => {
		watchOutside(page, outside);
		let last = Date.now();
		const lap = (what) => {
			log(`${what} ${Date.now() - last} ms`);
			last = Date.now();
		};

		await logIn(page, editorUrl, owner);
		lap('login');

		const shots = [];
		for (const [index, { name, workflow }] of workflows.entries()) {
			const route = `/workflow/${encodeURIComponent(workflow.id)}`;
			if (index === 0) {
				await page.goto(`${editorUrl}${route}`);
			} else {
				// Inside the single-page app, as a click would: no reload of the editor for every workflow.
				await page.evaluate((to) => {
					window.history.pushState(window.history.state, '', to);
					window.dispatchEvent(new PopStateEvent('popstate', { state: window.history.state }));
				}, route);
			}
			const nodes = page.locator('[data-test-id="canvas-node"]');
			const names = canvasNodeNames(workflow);
			let error;
			try {
				await page.waitForFunction(
					(expected) => {
						const shown = new Set([...document.querySelectorAll('[data-test-id="canvas-node"]')].map((e) => e.getAttribute('data-node-name')));
						return expected.every((n) => shown.has(n)) && shown.size === expected.length;
					},
					names,
				);
			} catch {
				error = `the canvas did not show the workflow's ${names.length} nodes within ${PAGE_TIMEOUT_MS / 1000} s`;
			}
			// The "Production Checklist" of a published workflow covers part of the canvas: close it.
			const close = page.locator('[data-test-id="suggested-actions-close"]');
			if (await close.isVisible()) await close.click();
			// A trigger's own "Execute workflow" button (beside it, on hover or for the selected trigger) is no part
			// of the flow: hidden before the flow is measured (the page is reloaded for the first workflow only).
			if (index === 0) await page.addStyleTag({ content: '.vue-flow__transformationpane [data-test-id^="execute-workflow-button-"] { visibility: hidden !important; }' });
			const clip = await fitFlow(page, FLOW_MARGIN);
			await page.evaluate(() => document.activeElement?.blur?.()); // no focus ring on a button
			await page.mouse.move(Math.round(page.viewportSize().width * 0.6), 20); // over the header: nothing on the canvas hovered
			const canvasNodes = await nodes.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-node-name') ?? e.textContent.trim()));
			const file = path.join(outDir, `${name}.png`);
			// Cropped to the flow with a margin, so that it is legible at GitHub's width; nothing floating over it.
			const showOverlays = await hideCanvasOverlays(page);
			await page.waitForTimeout(100);
			await page.screenshot({ path: file, clip });
			await showOverlays();
			shots.push({ name, file, canvasNodes, error });
			lap(name);
		}
		return { shots, outside: [...outside] };
	});
}

/**
 * Screenshots what a builder fills in: a node's settings (the middle column of its details view, opened by a
 * double click on the canvas) and a credential's dialog. Saves `outDir/<file>.png` for each.
 * @param {{editorUrl: string, owner: {email: string, password: string}, outDir: string,
 *   nodes: {file: string, workflowId: string, nodeName: string}[], credentials: ({file: string, id: string} | {file: string, type: string})[]}} options
 *   a credential: a saved one (`id`), or a new one of the type with that display name (`type`), unsaved
 * @returns {Promise<{shots: {file: string, text: string, error?: string}[], outside: string[]}>} text: what the panel shows
 */
export async function screenshotSettings({ editorUrl, owner, outDir, nodes, credentials }) {
	fs.mkdirSync(outDir, { recursive: true });
	const outside = new Set();
	return withPage({ viewport: { width: 1440, height: 1300 } }, async (page) => {
		watchOutside(page, outside);
		await logIn(page, editorUrl, owner);
		const shots = [];
		const shoot = async (file, take) => {
			const target = path.join(outDir, `${file}.png`);
			try {
				shots.push({ file: target, text: await take(target) });
			} catch (error) {
				shots.push({ file: target, text: '', error: error.message.split('\n')[0] });
			}
		};
		for (const { file, workflowId, nodeName } of nodes) {
			await shoot(file, async (to) => {
				await page.goto(`${editorUrl}/workflow/${encodeURIComponent(workflowId)}`);
				const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName.replace(/"/g, '\\"')}"]`);
				await node.dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.locator('[data-test-id="node-parameters"]').waitFor();
				// A trigger's webhook URLs are what its builder copies first: show them, the Production URL (the one
				// to give the sender; the Test URL only listens while the editor waits for a test event).
				const urls = ndv.getByText('Webhook URLs', { exact: true });
				if (await urls.isVisible()) {
					await urls.click();
					const production = ndv.locator('[data-test-id="radio-button-production"]');
					await production.waitFor({ timeout: 5000 }).catch(() => {});
					if (await production.isVisible()) await production.click();
				}
				await page.evaluate(() => document.activeElement?.blur?.());
				await page.mouse.move(5, 5); // outside the panel: nothing in it hovered
				await page.waitForTimeout(600); // the panel animates open
				// The settings column only (from its tabs down to its last field), not the panels beside it.
				const clip = await ndv.locator('[data-test-id="node-parameters"]').evaluate((element) => {
					const column = element.closest('.node-settings') ?? element;
					const box = column.getBoundingClientRect();
					// down to the last thing shown: fields, notices, an options list and its "Add option" (not the panel's
					// feedback link at its foot)
					const shown = [...element.querySelectorAll('*')].filter(
						(e) => e.children.length === 0 && !e.closest('[data-test-id="node-feature-request"]') && e.getBoundingClientRect().height > 0 && e.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
					);
					const bottom = Math.min(box.bottom, Math.max(box.top, ...shown.map((e) => e.getBoundingClientRect().bottom)) + 24);
					return { x: Math.floor(box.left), y: Math.floor(box.top), width: Math.ceil(box.right) - Math.floor(box.left), height: Math.ceil(bottom) - Math.floor(box.top) };
				});
				await page.screenshot({ path: to, clip });
				return shownText(ndv.locator('[data-test-id="node-parameters"]'));
			});
		}
		for (const { file, id, type } of credentials) {
			await shoot(file, async (to) => {
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				if (id) {
					await page.goto(`${editorUrl}/home/credentials/${encodeURIComponent(id)}`);
				} else {
					// A new credential of the type, as a builder first sees it: its defaults, nothing secret, no test run.
					await page.goto(`${editorUrl}/home/credentials/create`);
					const select = page.locator('[data-test-id="new-credential-type-select"]');
					await select.locator('input').fill(type);
					await page.locator('[data-test-id="new-credential-type-select-option"]').getByText(type, { exact: true }).click();
					await page.locator('[data-test-id="new-credential-type-button"]').click();
				}
				await dialog.waitFor();
				await page.waitForTimeout(600);
				await page.evaluate(() => document.activeElement?.blur?.());
				await page.mouse.move(5, 5); // off the dialog: no field hovered (it would show its Fixed / Expression switch)
				// The whole modal (its title and tabs too), grown to show every field instead of scrolling.
				const modal = dialog.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " el-dialog ")][1]');
				await modal.evaluate((element) => {
					for (const e of [element, ...element.querySelectorAll('*')]) {
						if (e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'visible') Object.assign(e.style, { maxHeight: 'none', height: 'auto', overflowY: 'visible' });
					}
					Object.assign(element.style, { maxHeight: 'none', height: 'auto' });
				});
				// a modal is centred in the window: make the window tall enough for all of it
				const grown = await modal.boundingBox();
				const viewport = page.viewportSize();
				if (grown && viewport && grown.height + 80 > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.ceil(grown.height + 80) });
				await page.waitForTimeout(300);
				await modal.screenshot({ path: to });
				if (viewport) await page.setViewportSize(viewport);
				return shownText(dialog);
			});
		}
		return { shots, outside: [...outside] };
	});
}

/** The text a person sees in `locator`: its text, and the values of its fields (a password field's never). */
function shownText(locator) {
	return locator.evaluate((element) => {
		const fields = [...element.querySelectorAll('input, textarea')].filter((f) => f.type !== 'password' && f.type !== 'hidden');
		return [element.innerText, ...fields.map((f) => f.value)].join('\n');
	});
}

/**
 * Opens `url` in the browser as a person who typed `login` ({ username, password }) into its Basic Auth
 * prompt, and saves a screenshot to `file`. Returns the status and the page's visible text.
 */
export async function screenshotPage({ url, login, file }) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	return withPage({ viewport: { width: 1100, height: 760 }, httpCredentials: login }, async (page) => {
		const response = await page.goto(url);
		await page.screenshot({ path: file, fullPage: true });
		return { status: response?.status(), text: await page.innerText('body') };
	});
}
