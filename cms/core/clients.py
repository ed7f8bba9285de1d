"""Who a request comes from, for rate limits and login lockouts alike (plain Python).

The client is REMOTE_ADDR unless ``NUM_PROXIES`` says how many proxies in front add their entry
to X-Forwarded-For; then it is the entry the outermost trusted proxy added (the right-most with
one proxy). Unset trusts no proxy: anyone can write the header, and trusting it would let each
request come from a new "address". An IPv4 address counts as itself, an IPv4-mapped IPv6
address as its IPv4 address, any other IPv6 address as its /64 network (what one subscriber or
one LAN is given).
"""

import ipaddress


def client_address(remote_addr: str, forwarded_for: str | None, num_proxies: int | None) -> str:
    """The client's address: REMOTE_ADDR unless ``num_proxies`` proxies are trusted and one of
    them forwarded the request."""
    if not num_proxies or not forwarded_for or not forwarded_for.strip():
        return remote_addr
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    return entries[-min(num_proxies, len(entries))] or remote_addr


def network_of(address: str) -> str:
    """The identity a limit counts under: the IPv4 address, or the IPv6 /64 network.
    Anything that is not an address is kept as given (shortened), so it still counts."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64]
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
