// A real headless Chromium driven over the DevTools protocol for the e2e tests: load a URL, wait until the
// page's text shows what is expected (script-rendered pages such as Jupyter's fill in after the load
// event, so a fixed --dump-dom budget is not enough on a busy machine), then keep a screenshot and the
// DOM as artifacts. `--no-sandbox`: the tests run as root, where Chromium's sandbox cannot start.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import WebSocket from 'ws'

export interface Page {
  /** the page's visible text when `until` matched (or at the deadline) */
  text: string
  html: string
  /** the page's console errors and uncaught exceptions, and failed requests */
  problems: string[]
}

export async function browse(chromium: string, url: string, opts: {until: RegExp; screenshot: string; html: string; timeoutMs?: number}): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'kd-chromium-'))
  const child = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--no-first-run', '--window-size=1280,900', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], {stdio: ['ignore', 'ignore', 'pipe']})
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = ''
      const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 60_000)
      child.stderr!.on('data', (d) => {
        err += d
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err)
        if (m) clearTimeout(timer), resolve(m[1]!)
      })
      child.on('exit', (code) => reject(new Error(`chromium exited ${code}: ${err}`)))
    })
    const http = endpoint.replace(/^ws:\/\/([^/]+)\/.*$/, 'http://$1')
    const targets = (await fetch(`${http}/json/list`, {signal: AbortSignal.timeout(30_000)})
      .then((r) => r.json())
      .catch((err: Error) => Promise.reject(new Error(`chromium did not list its pages within 30 s: ${err.message}`)))) as Array<{type: string; webSocketDebuggerUrl: string}>
    const page = targets.find((t) => t.type === 'page')
    if (!page) throw new Error('chromium has no page target')
    const ws = new WebSocket(page.webSocketDebuggerUrl, [], {perMessageDeflate: false})
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('chromium did not open its DevTools connection within 30 s')), 30_000)
      ws.once('open', () => (clearTimeout(timer), resolve(undefined)))
      ws.once('error', (e) => (clearTimeout(timer), reject(e)))
    })
    let id = 0
    const pending = new Map<number, {resolve: (v: any) => void; reject: (e: Error) => void}>()
    const problems: string[] = []
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8'))
      if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') problems.push(`console: ${m.params.args.map((a: any) => a.value ?? a.description).join(' ')}`)
      if (m.method === 'Runtime.exceptionThrown') problems.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`)
      if (m.method === 'Network.loadingFailed') problems.push(`request failed: ${m.params.errorText}`)
      if (m.method === 'Network.responseReceived' && m.params.response.status >= 400) problems.push(`HTTP ${m.params.response.status}: ${m.params.response.url}`)
      const p = m.id !== undefined ? pending.get(m.id) : undefined
      if (!p) return
      pending.delete(m.id)
      if (m.error) p.reject(new Error(`${m.error.message}`))
      else p.resolve(m.result)
    })
    // a Chromium that dies or stops answering fails the call (and so the test) instead of hanging it
    const failAll = (why: string) => {
      for (const p of pending.values()) p.reject(new Error(why))
      pending.clear()
    }
    ws.once('close', () => failAll('chromium closed its DevTools connection'))
    child.once('exit', (code) => failAll(`chromium exited ${code}`))
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<any>((resolve, reject) => {
        const n = ++id
        const timer = setTimeout(() => (pending.delete(n), reject(new Error(`chromium did not answer ${method} within 30 s`))), 30_000)
        pending.set(n, {resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e))})
        ws.send(JSON.stringify({id: n, method, params}))
      })
    const evaluate = async (expression: string) => ((await call('Runtime.evaluate', {expression, returnByValue: true})).result?.value as string) ?? ''
    await call('Page.enable')
    await call('Runtime.enable')
    await call('Network.enable')
    await call('Page.navigate', {url})
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
    let text = ''
    while (Date.now() < deadline) {
      if (child.exitCode !== null || ws.readyState !== WebSocket.OPEN) throw new Error(`chromium went away while loading ${url}`)
      text = await evaluate('document.body ? document.body.innerText : ""').catch(() => '')
      if (opts.until.test(text)) break
      await new Promise((r) => setTimeout(r, 500))
    }
    // a moment for the last paint
    await new Promise((r) => setTimeout(r, 500))
    const shot = await call('Page.captureScreenshot', {format: 'png'})
    writeFileSync(opts.screenshot, Buffer.from(shot.data as string, 'base64'))
    const html = await evaluate('document.documentElement.outerHTML')
    writeFileSync(opts.html, html)
    ws.close()
    return {text, html, problems}
  } finally {
    child.kill('SIGKILL')
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : (child.once('exit', r), setTimeout(r, 10_000))))
    rmSync(profile, {recursive: true, force: true})
  }
}
