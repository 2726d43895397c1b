import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/**
 * Where webhooks may go: not to loopback, private, link-local, shared (CGNAT) or multicast addresses, which would
 * let whoever registers an endpoint reach the deployment's own network (SSRF). The check is made on the
 * addresses the name resolves to when the request connects, so a name that changes its answer cannot slip past.
 */
const PRIVATE = new BlockList()
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6')

export function isPrivateAddress (address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (mapped !== undefined) return PRIVATE.check(mapped, 'ipv4')
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

export class TargetRefused extends Error {
  constructor (address: string) {
    super(`refused to connect to ${address}: a loopback, private or link-local address`)
    this.name = 'TargetRefused'
  }
}

/** dns.lookup, refusing private addresses unless `allowPrivate`. */
const guardedLookup = (allowPrivate: boolean): LookupFunction => (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err !== null) return callback(err, '', 4)
    const list = addresses as LookupAddress[]
    const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address))
    if (refused !== undefined) return callback(new TargetRefused(refused.address), '', 4)
    const wantsAll = (options as { all?: boolean }).all === true
    if (wantsAll) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list)
    callback(null, list[0]!.address, list[0]!.family)
  })
}

/** Whether `url` is a target webhooks may be sent to: http(s), and resolving to public addresses unless allowed. */
export async function checkTarget (url: string, allowPrivate: boolean): Promise<string | null> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'only http and https URLs'
  if (parsed.username !== '' || parsed.password !== '') return 'no credentials in the URL'
  if (allowPrivate) return null
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0) return isPrivateAddress(host) ? 'a loopback, private or link-local address' : null
  return await new Promise((resolve) => {
    guardedLookup(false)(host, {}, (err) => {
      resolve(err === null ? null : err instanceof TargetRefused ? 'it resolves to a loopback, private or link-local address' : 'the name does not resolve')
    })
  })
}

/** POSTs `body` to `url` (no redirects followed), within `timeoutMs`: the status code, or an error. */
export async function postJson (
  url: string, body: string, headers: Record<string, string>,
  { timeoutMs, allowPrivate }: { timeoutMs: number, allowPrivate: boolean }
): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest
  // An address in the URL is not looked up: checked here.
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  if (!allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) throw new TargetRefused(host)
  return await new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      lookup: guardedLookup(allowPrivate),
      timeout: timeoutMs
    }, (res) => {
      res.resume() // the body is not read, only the status
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}
