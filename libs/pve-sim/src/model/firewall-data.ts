/**
 * Data pve-firewall's checks read, as PVE ships it:
 * - `MACROS`: `$pve_fw_macros` and `$pve_ipv6fw_macros` of pve-firewall `src/PVE/Firewall.pm`
 *   (identical on stable-bookworm 5.1.2 and master 6.0.4): the rule templates `verify_rule`
 *   applies a macro with (`PARAM` = the rule's own value, `SOURCE`/`DEST` = its source/dest).
 * - `PROTOCOLS`: `/etc/protocols` (Debian netbase 6.4), which `get_etc_protocols` parses.
 * - `SERVICES`: the service names of `/etc/services` (netbase 6.4), which `get_etc_services` parses.
 * Generated from those files; regenerate rather than edit by hand.
 */
export type MacroRule = Record<string, string>;

export const MACROS: Record<string, MacroRule[]> = {
  Amanda: [
    { action: 'PARAM', proto: 'udp', dport: '10080' },
    { action: 'PARAM', proto: 'tcp', dport: '10080' },
  ],
  Auth: [{ action: 'PARAM', proto: 'tcp', dport: '113' }],
  BGP: [{ action: 'PARAM', proto: 'tcp', dport: '179' }],
  BitTorrent: [
    { action: 'PARAM', proto: 'tcp', dport: '6881:6889' },
    { action: 'PARAM', proto: 'udp', dport: '6881' },
  ],
  BitTorrent32: [
    { action: 'PARAM', proto: 'tcp', dport: '6881:6999' },
    { action: 'PARAM', proto: 'udp', dport: '6881' },
  ],
  Ceph: [
    { action: 'PARAM', proto: 'tcp', dport: '6789' },
    { action: 'PARAM', proto: 'tcp', dport: '3300' },
    { action: 'PARAM', proto: 'tcp', dport: '6800:7300' },
  ],
  CVS: [{ action: 'PARAM', proto: 'tcp', dport: '2401' }],
  Citrix: [
    { action: 'PARAM', proto: 'tcp', dport: '1494' },
    { action: 'PARAM', proto: 'udp', dport: '1604' },
    { action: 'PARAM', proto: 'tcp', dport: '2598' },
  ],
  DAAP: [
    { action: 'PARAM', proto: 'tcp', dport: '3689' },
    { action: 'PARAM', proto: 'udp', dport: '3689' },
  ],
  DCC: [{ action: 'PARAM', proto: 'tcp', dport: '6277' }],
  DHCPfwd: [{ action: 'PARAM', proto: 'udp', dport: '67:68', sport: '67:68' }],
  DNS: [
    { action: 'PARAM', proto: 'udp', dport: '53' },
    { action: 'PARAM', proto: 'tcp', dport: '53' },
  ],
  Distcc: [{ action: 'PARAM', proto: 'tcp', dport: '3632' }],
  FTP: [{ action: 'PARAM', proto: 'tcp', dport: '21' }],
  Finger: [{ action: 'PARAM', proto: 'tcp', dport: '79' }],
  GNUnet: [
    { action: 'PARAM', proto: 'tcp', dport: '2086' },
    { action: 'PARAM', proto: 'udp', dport: '2086' },
    { action: 'PARAM', proto: 'tcp', dport: '1080' },
    { action: 'PARAM', proto: 'udp', dport: '1080' },
  ],
  GRE: [{ action: 'PARAM', proto: '47' }],
  Git: [{ action: 'PARAM', proto: 'tcp', dport: '9418' }],
  HKP: [{ action: 'PARAM', proto: 'tcp', dport: '11371' }],
  HTTP: [{ action: 'PARAM', proto: 'tcp', dport: '80' }],
  HTTPS: [{ action: 'PARAM', proto: 'tcp', dport: '443' }],
  ICPV2: [{ action: 'PARAM', proto: 'udp', dport: '3130' }],
  ICQ: [{ action: 'PARAM', proto: 'tcp', dport: '5190' }],
  IMAP: [{ action: 'PARAM', proto: 'tcp', dport: '143' }],
  IMAPS: [{ action: 'PARAM', proto: 'tcp', dport: '993' }],
  IPIP: [{ action: 'PARAM', proto: '94' }],
  IPsec: [
    { action: 'PARAM', proto: 'udp', dport: '500', sport: '500' },
    { action: 'PARAM', proto: '50' },
  ],
  IPsecah: [
    { action: 'PARAM', proto: 'udp', dport: '500', sport: '500' },
    { action: 'PARAM', proto: '51' },
  ],
  IPsecnat: [
    { action: 'PARAM', proto: 'udp', dport: '500' },
    { action: 'PARAM', proto: 'udp', dport: '4500' },
    { action: 'PARAM', proto: '50' },
  ],
  IRC: [{ action: 'PARAM', proto: 'tcp', dport: '6667' }],
  Jetdirect: [{ action: 'PARAM', proto: 'tcp', dport: '9100' }],
  L2TP: [{ action: 'PARAM', proto: 'udp', dport: '1701' }],
  LDAP: [{ action: 'PARAM', proto: 'tcp', dport: '389' }],
  LDAPS: [{ action: 'PARAM', proto: 'tcp', dport: '636' }],
  MSNP: [{ action: 'PARAM', proto: 'tcp', dport: '1863' }],
  MSSQL: [{ action: 'PARAM', proto: 'tcp', dport: '1433' }],
  Mail: [
    { action: 'PARAM', proto: 'tcp', dport: '25' },
    { action: 'PARAM', proto: 'tcp', dport: '465' },
    { action: 'PARAM', proto: 'tcp', dport: '587' },
  ],
  MDNS: [{ action: 'PARAM', proto: 'udp', dport: '5353' }],
  Munin: [{ action: 'PARAM', proto: 'tcp', dport: '4949' }],
  MySQL: [{ action: 'PARAM', proto: 'tcp', dport: '3306' }],
  NNTP: [{ action: 'PARAM', proto: 'tcp', dport: '119' }],
  NNTPS: [{ action: 'PARAM', proto: 'tcp', dport: '563' }],
  NTP: [{ action: 'PARAM', proto: 'udp', dport: '123' }],
  OSPF: [{ action: 'PARAM', proto: '89' }],
  OpenVPN: [{ action: 'PARAM', proto: 'udp', dport: '1194' }],
  PCA: [
    { action: 'PARAM', proto: 'udp', dport: '5632' },
    { action: 'PARAM', proto: 'tcp', dport: '5631' },
  ],
  PMG: [{ action: 'PARAM', proto: 'tcp', dport: '8006' }],
  POP3: [{ action: 'PARAM', proto: 'tcp', dport: '110' }],
  POP3S: [{ action: 'PARAM', proto: 'tcp', dport: '995' }],
  PPtP: [
    { action: 'PARAM', proto: '47' },
    { action: 'PARAM', proto: 'tcp', dport: '1723' },
  ],
  Ping: [{ action: 'PARAM', proto: 'icmp', dport: 'echo-request' }],
  PostgreSQL: [{ action: 'PARAM', proto: 'tcp', dport: '5432' }],
  Printer: [{ action: 'PARAM', proto: 'tcp', dport: '515' }],
  RDP: [{ action: 'PARAM', proto: 'tcp', dport: '3389' }],
  RIP: [{ action: 'PARAM', proto: 'udp', dport: '520' }],
  RNDC: [{ action: 'PARAM', proto: 'tcp', dport: '953' }],
  Razor: [{ action: 'PARAM', proto: 'tcp', dport: '2703' }],
  Rdate: [{ action: 'PARAM', proto: 'tcp', dport: '37' }],
  Rsync: [{ action: 'PARAM', proto: 'tcp', dport: '873' }],
  SANE: [{ action: 'PARAM', proto: 'tcp', dport: '6566' }],
  SMB: [
    { action: 'PARAM', proto: 'udp', dport: '135,445' },
    { action: 'PARAM', proto: 'udp', dport: '137:139' },
    { action: 'PARAM', proto: 'udp', dport: '1024:65535', sport: '137' },
    { action: 'PARAM', proto: 'tcp', dport: '135,139,445' },
  ],
  SMBswat: [{ action: 'PARAM', proto: 'tcp', dport: '901' }],
  SMTP: [{ action: 'PARAM', proto: 'tcp', dport: '25' }],
  SMTPS: [{ action: 'PARAM', proto: 'tcp', dport: '465' }],
  SNMP: [
    { action: 'PARAM', proto: 'udp', dport: '161:162' },
    { action: 'PARAM', proto: 'tcp', dport: '161' },
  ],
  SPAMD: [{ action: 'PARAM', proto: 'tcp', dport: '783' }],
  SSH: [{ action: 'PARAM', proto: 'tcp', dport: '22' }],
  SVN: [{ action: 'PARAM', proto: 'tcp', dport: '3690' }],
  SixXS: [
    { action: 'PARAM', proto: 'tcp', dport: '3874' },
    { action: 'PARAM', proto: 'udp', dport: '3740' },
    { action: 'PARAM', proto: '41' },
    { action: 'PARAM', proto: 'udp', dport: '5072,8374' },
  ],
  SPICEproxy: [{ action: 'PARAM', proto: 'tcp', dport: '3128' }],
  Squid: [{ action: 'PARAM', proto: 'tcp', dport: '3128' }],
  Submission: [{ action: 'PARAM', proto: 'tcp', dport: '587' }],
  Syslog: [
    { action: 'PARAM', proto: 'udp', dport: '514' },
    { action: 'PARAM', proto: 'tcp', dport: '514' },
  ],
  TFTP: [{ action: 'PARAM', proto: 'udp', dport: '69' }],
  Telnet: [{ action: 'PARAM', proto: 'tcp', dport: '23' }],
  Telnets: [{ action: 'PARAM', proto: 'tcp', dport: '992' }],
  Time: [{ action: 'PARAM', proto: 'tcp', dport: '37' }],
  Trcrt: [
    { action: 'PARAM', proto: 'udp', dport: '33434:33524' },
    { action: 'PARAM', proto: 'icmp', dport: 'echo-request' },
  ],
  VNC: [{ action: 'PARAM', proto: 'tcp', dport: '5900:5999' }],
  VNCL: [{ action: 'PARAM', proto: 'tcp', dport: '5500' }],
  Web: [
    { action: 'PARAM', proto: 'tcp', dport: '80' },
    { action: 'PARAM', proto: 'tcp', dport: '443' },
  ],
  Webcache: [{ action: 'PARAM', proto: 'tcp', dport: '8080' }],
  Webmin: [{ action: 'PARAM', proto: 'tcp', dport: '10000' }],
  Whois: [{ action: 'PARAM', proto: 'tcp', dport: '43' }],
};

export const IPV6_MACROS: Record<string, MacroRule[]> = {
  Ping: [{ action: 'PARAM', proto: 'icmpv6', dport: 'echo-request' }],
  NeighborDiscovery: [
    { action: 'PARAM', proto: 'icmpv6', dport: 'router-solicitation' },
    { action: 'PARAM', proto: 'icmpv6', dport: 'router-advertisement' },
    { action: 'PARAM', proto: 'icmpv6', dport: 'neighbor-solicitation' },
    { action: 'PARAM', proto: 'icmpv6', dport: 'neighbor-advertisement' },
  ],
  DHCPv6: [{ action: 'PARAM', proto: 'udp', dport: '546:547', sport: '546:547' }],
  Trcrt: [
    { action: 'PARAM', proto: 'udp', dport: '33434:33524' },
    { action: 'PARAM', proto: 'icmpv6', dport: 'echo-request' },
  ],
};

export const PROTOCOLS: Record<string, number> = {
  ip: 0,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ggp: 3,
  ipencap: 4,
  st: 5,
  tcp: 6,
  egp: 8,
  igp: 9,
  pup: 12,
  udp: 17,
  hmp: 20,
  'xns-idp': 22,
  rdp: 27,
  'iso-tp4': 29,
  dccp: 33,
  xtp: 36,
  ddp: 37,
  'idpr-cmtp': 38,
  ipv6: 41,
  'ipv6-route': 43,
  'ipv6-frag': 44,
  idrp: 45,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  skip: 57,
  'ipv6-icmp': 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  rspf: 73,
  vmtp: 81,
  eigrp: 88,
  ospf: 89,
  'ax.25': 93,
  ipip: 94,
  etherip: 97,
  encap: 98,
  pim: 103,
  ipcomp: 108,
  vrrp: 112,
  l2tp: 115,
  isis: 124,
  sctp: 132,
  fc: 133,
  'mobility-header': 135,
  udplite: 136,
  'mpls-in-ip': 137,
  manet: 138,
  hip: 139,
  shim6: 140,
  wesp: 141,
  rohc: 142,
  ethernet: 143,
  mptcp: 262,
};

export const SERVICES: ReadonlySet<string> = new Set(
  `
tcpmux echo discard systat daytime netstat qotd chargen ftp-data ftp fsp ssh telnet smtp time whois
tacacs domain bootps bootpc tftp gopher finger http kerberos iso-tsap acr-nema pop3 sunrpc auth nntp
ntp epmap netbios-ns netbios-dgm netbios-ssn imap2 snmp snmp-trap cmip-man cmip-agent mailq xdmcp
bgp smux qmtp z3950 ipx ptp-event ptp-general pawserv zserv rpc2portmap codaauth2 clearcase ldap
svrloc https snpp microsoft-ds kpasswd submissions saft isakmp rtsp nqs asf-rmcp qmqp ipp ldp exec
biff login who shell syslog printer talk ntalk route gdomap uucp klogin kshell dhcpv6-client
dhcpv6-server afpovertcp nntps submission ldaps tinc silc kerberos-adm domain-s rsync ftps-data ftps
telnets imaps pop3s socks proofd rootd openvpn rmiregistry lotusnote ms-sql-s ms-sql-m ingreslock
datametrics sa-msg-port kermit groupwise l2f radius radius-acct cisco-sccp nfs gnunet rtcm-sc104
gsigatekeeper gris cvspserver venus venus-se codasrv codasrv-se mon dict f5-globalsite gsiftp gpsd
gds-db icpv2 isns iscsi-target mysql ms-wbt-server nut distcc daap svn suucp sysrqd sieve epmd
remctl f5-iquery ntske ipsec-nat-t iax mtn radmin-port sip sip-tls xmpp-client xmpp-server cfengine
mdns postgresql freeciv amqps amqp x11 x11-1 x11-2 x11-3 x11-4 x11-5 x11-6 x11-7 gnutella-svc
gnutella-rtr redis sge-qmaster sge-execd mysql-proxy babel ircs-u bbs afs3-fileserver afs3-callback
afs3-prserver afs3-vlserver afs3-kaserver afs3-volser afs3-bos afs3-update afs3-rmtsys font-service
http-alt puppet bacula-dir bacula-fd bacula-sd xmms2 nbd zabbix-agent zabbix-trapper amanda dicom
hkp db-lsp dcap gsidcap wnn6 kerberos4 kerberos-master passwd-server krb-prop zephyr-srv zephyr-clt
zephyr-hm iprop supfilesrv supfiledbg poppassd moira-db moira-update moira-ureg spamd skkserv
predict rmtcfg xtel xtelw zebrasrv zebra ripd ripngd ospfd bgpd ospf6d ospfapi isisd fax hylafax
munin rplay nrpe nsca canna syslog-tls sane-port ircd zope-ftp tproxy omniorb clc-build-daemon
xinetd git zope webmin kamanda amandaidx amidxtape sgi-cmsd sgi-crsd sgi-gcd sgi-cad binkp asp
csync2 dircproxy tfido fido`.split(/\s+/),
);

/** `$icmp_type_names` and `$icmpv6_type_names` of pve-firewall `src/PVE/Firewall.pm`. */
export const ICMP_TYPES: ReadonlySet<string> = new Set([
  'any',
  'echo-reply',
  'destination-unreachable',
  'network-unreachable',
  'host-unreachable',
  'protocol-unreachable',
  'port-unreachable',
  'fragmentation-needed',
  'source-route-failed',
  'network-unknown',
  'host-unknown',
  'network-prohibited',
  'host-prohibited',
  'TOS-network-unreachable',
  'TOS-host-unreachable',
  'communication-prohibited',
  'host-precedence-violation',
  'precedence-cutoff',
  'source-quench',
  'redirect',
  'network-redirect',
  'host-redirect',
  'TOS-network-redirect',
  'TOS-host-redirect',
  'echo-request',
  'router-advertisement',
  'router-solicitation',
  'time-exceeded',
  'ttl-zero-during-transit',
  'ttl-zero-during-reassembly',
  'parameter-problem',
  'ip-header-bad',
  'required-option-missing',
  'timestamp-request',
  'timestamp-reply',
  'address-mask-request',
  'address-mask-reply',
]);
export const ICMPV6_TYPES: ReadonlySet<string> = new Set([
  'destination-unreachable',
  'no-route',
  'communication-prohibited',
  'beyond-scope',
  'address-unreachable',
  'port-unreachable',
  'failed-policy',
  'reject-route',
  'packet-too-big',
  'time-exceeded',
  'ttl-zero-during-transit',
  'ttl-zero-during-reassembly',
  'parameter-problem',
  'bad-header',
  'unknown-header-type',
  'unknown-option',
  'echo-request',
  'echo-reply',
  'router-solicitation',
  'router-advertisement',
  'neighbor-solicitation',
  'neighbour-solicitation',
  'neighbor-advertisement',
  'neighbour-advertisement',
  'redirect',
]);
