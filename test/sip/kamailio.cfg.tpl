#!KAMAILIO
#
# Kamailio 5.6 for the softphone tests: registrar and proxy on loopback, SIP over
# plain WebSocket (ws://127.0.0.1:%WS_PORT%) for the widget and UDP (%UDP_PORT%)
# for sipp; calls to numbers go out to a "trunk" on 127.0.0.1:%TRUNK_PORT% (a sipp UAS
# in the outbound-call tests). test/helpers/kamailio.ts fills the %NAMES% and starts it with -DD -E
# in its own process group; stop it with SIGTERM to that group (FIELD-NOTES.md:
# SIGKILL on the main process leaves children holding the ports).
#
# Facts this file relies on (FIELD-NOTES.md, measured with SIP.js 0.21):
# - WebSocket clients need nathelper's contact aliasing even on loopback.
# - tcp_accept_no_cl=yes, or the WebSocket handshake (an HTTP GET) is refused.
# - usrloc handle_lost_tcp, or a closed tab leaves a registration INVITEs fork to.
# - tcp_connection_lifetime above the registration interval, or Kamailio closes an
#   idle WebSocket after about two minutes.
# - No `alias` without a port: Kamailio would take sipp's 127.0.0.1 for itself.
#   Agents' AORs use the domain %DOMAIN%, matched by name below instead.

debug=%DEBUG%
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:%UDP_PORT%
listen=tcp:127.0.0.1:%WS_PORT%
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_keepalive=yes
server_header="Server: switchboard-test-kamailio"
user_agent_header="User-Agent: switchboard-test-kamailio"

mpath="%MODULES%"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

modparam("tm", "fr_timer", 10000)
modparam("tm", "fr_inv_timer", 60000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "handle_lost_tcp", 1)
modparam("usrloc", "close_expired_tcp", 1)
modparam("registrar", "max_expires", 600)
modparam("registrar", "min_expires", 30)
modparam("registrar", "gruu_enabled", 0)
# fix_nated_register() stores the WebSocket's source in this AVP; the registrar keeps it
# as the contact's `received`, and lookup() sends there (the contact is *.invalid).
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("websocket", "keepalive_mechanism", 1)
modparam("websocket", "keepalive_timeout", 30)

# The WebSocket handshake arrives as an HTTP GET on the tcp listener.
event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		exit;
	}

	# From a WebSocket client (nat_uac_test 64): remember the connection in the contact.
	if (nat_uac_test("64")) {
		force_rport();
		if (is_method("REGISTER")) {
			fix_nated_register();
		} else if (!add_contact_alias()) {
			sl_send_reply("400", "Bad Request");
			exit;
		}
	}

	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		t_check_trans();
	}
	remove_hf("Route");
	if (is_method("INVITE|SUBSCRIBE")) {
		record_route();
	}

	if (is_method("REGISTER")) {
		route(REGISTRAR);
		exit;
	}

	# Requests for an agent's AOR go to where the agent registered; a number at the
	# domain (the widget dialing out) goes to the trunk; anything else goes to its
	# Request-URI as is.
	if ($rd == "%DOMAIN%" && $rU =~ "^[+]?[0-9*]+(%23)?$") {
		$du = "sip:127.0.0.1:%TRUNK_PORT%";
		route(RELAY);
	}
	if ($rd == "%DOMAIN%") {
		if (!lookup("location")) {
			# 480: the agent is known to the domain but not reachable right now.
			sl_send_reply("480", "Temporarily Unavailable");
			exit;
		}
	}
	route(RELAY);
}

route[REGISTRAR] {
	if ($rd != "%DOMAIN%") {
		sl_send_reply("403", "Forbidden domain");
		exit;
	}
	# One shared test password: the widget's credentials come from the connector's config.
	if (!pv_www_authenticate("$rd", "%SIP_PASSWORD%", "0")) {
		www_challenge("$rd", "0");
		exit;
	}
	if ($au != $tU) {
		sl_send_reply("403", "Auth user does not match the AOR");
		exit;
	}
	consume_credentials();
	if (!save("location")) {
		sl_reply_error();
		exit;
	}
	# One line per accepted REGISTER: the tests count which connections registered.
	xlog("L_NOTICE", "sb-register aor=$tU src=$si:$sp contact=$ct\n");
}

route[WITHINDLG] {
	if (loose_route()) {
		if ($du == "") {
			if (!handle_ruri_alias()) {
				sl_send_reply("400", "Bad Request");
				exit;
			}
		}
		route(RELAY);
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	sl_send_reply("404", "Not here");
}

route[RELAY] {
	if (is_method("INVITE|UPDATE")) {
		t_on_reply("NATREPLY");
	}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

onreply_route[NATREPLY] {
	if (nat_uac_test("64")) {
		add_contact_alias();
	}
}
