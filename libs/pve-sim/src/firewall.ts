/**
 * `@genesis/pve-sim/firewall`: pve-firewall's rule checks and name lists, for a client that wants
 * to refuse what the host would refuse before sending anything (no server code is pulled in).
 */
export { verifyRule, moveRule, parseAddressList, parsePortList, verifyProtocol, type RuleEnv, type RuleContext } from './model/firewall-rules';
export { MACROS, IPV6_MACROS, PROTOCOLS, SERVICES, ICMP_TYPES, ICMPV6_TYPES } from './model/firewall-data';
