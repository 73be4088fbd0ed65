/** `address:port` for log lines, with brackets around an IPv6 address. */
export function formatSender(sender: { address: string; port: number }): string {
  return sender.address.includes(':')
    ? `[${sender.address}]:${sender.port}`
    : `${sender.address}:${sender.port}`;
}
