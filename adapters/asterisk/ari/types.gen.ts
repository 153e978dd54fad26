/* eslint-disable */
/**
 * ARI types generated from Asterisk's Swagger declarations (Asterisk 22.10.1, test/fixtures/ari-api-docs).
 * DO NOT EDIT: run `npx tsx scripts/gen-ari-types.ts`. Each declaration names the JSON file it comes from.
 */

/**
 * Info about how Asterisk was built
 *
 * Source: asterisk.json, model BuildInfo.
 */
export interface BuildInfo {
  /** OS Asterisk was built on. */
  os: string;
  /** Kernel version Asterisk was built on. */
  kernel: string;
  /** Compile time options, or empty string if default. */
  options: string;
  /** Machine architecture (x86_64, i686, ppc, etc.) */
  machine: string;
  /** Date and time when Asterisk was built. */
  date: string;
  /** Username that build Asterisk */
  user: string;
}

/**
 * Info about Asterisk
 *
 * Source: asterisk.json, model SystemInfo.
 */
export interface SystemInfo {
  /** Asterisk version. */
  version: string;
  entity_id: string;
}

/**
 * Effective user/group id
 *
 * Source: asterisk.json, model SetId.
 */
export interface SetId {
  /** Effective user id. */
  user: string;
  /** Effective group id. */
  group: string;
}

/**
 * Info about Asterisk configuration
 *
 * Source: asterisk.json, model ConfigInfo.
 */
export interface ConfigInfo {
  /** Asterisk system name. */
  name: string;
  /** Default language for media playback. */
  default_language: string;
  /** Maximum number of simultaneous channels. */
  max_channels?: number;
  /** Maximum number of open file handles (files, sockets). */
  max_open_files?: number;
  /** Maximum load avg on system. */
  max_load?: number;
  /** Effective user/group id for running Asterisk. */
  setid: SetId;
}

/**
 * Info about Asterisk status
 *
 * Source: asterisk.json, model StatusInfo.
 */
export interface StatusInfo {
  /** Time when Asterisk was started. */
  startup_time: string;
  /** Time when Asterisk was last reloaded. */
  last_reload_time: string;
}

/**
 * Asterisk system information
 *
 * Source: asterisk.json, model AsteriskInfo.
 */
export interface AsteriskInfo {
  /** Info about how Asterisk was built */
  build?: BuildInfo;
  /** Info about the system running Asterisk */
  system?: SystemInfo;
  /** Info about Asterisk configuration */
  config?: ConfigInfo;
  /** Info about Asterisk status */
  status?: StatusInfo;
}

/**
 * Asterisk ping information
 *
 * Source: asterisk.json, model AsteriskPing.
 */
export interface AsteriskPing {
  /** Asterisk id info */
  asterisk_id: string;
  /** Always string value is pong */
  ping: string;
  /** The timestamp string of request received time */
  timestamp: string;
}

/**
 * Details of an Asterisk module
 *
 * Source: asterisk.json, model Module.
 */
export interface Module {
  /** The name of this module */
  name: string;
  /** The description of this module */
  description: string;
  /** The number of times this module is being used */
  use_count: number;
  /** The running status of this module */
  status: string;
  /** The support state of this module */
  support_level: string;
}

/**
 * Details of an Asterisk log channel
 *
 * Source: asterisk.json, model LogChannel.
 */
export interface LogChannel {
  /** The log channel path */
  channel: string;
  /** Types of logs for the log channel */
  type: string;
  /** Whether or not a log type is enabled */
  status: string;
  /** The various log levels */
  configuration: string;
}

/**
 * The value of a channel variable
 *
 * Source: asterisk.json, model Variable.
 */
export interface Variable {
  /** The value of the variable requested */
  value: string;
}

/**
 * A dictionary of channel variables
 *
 * Source: asterisk.json, model Variables.
 */
export interface Variables {
  /** A dictionary of channel variables */
  variables: Record<string, unknown>;
}

/**
 * A key/value pair that makes up part of a configuration object.
 *
 * Source: asterisk.json, model ConfigTuple.
 */
export interface ConfigTuple {
  /** A configuration object attribute. */
  attribute: string;
  /** The value for the attribute. */
  value: string;
}

/**
 * An external device that may offer/accept calls to/from Asterisk.
 *
 * Unlike most resources, which have a single unique identifier, an endpoint is uniquely identified by the technology/resource pair.
 *
 * Source: endpoints.json, model Endpoint.
 */
export interface Endpoint {
  /** Technology of the endpoint */
  technology: string;
  /** Identifier of the endpoint, specific to the given technology. */
  resource: string;
  /** Endpoint's state */
  state?: "unknown" | "offline" | "online";
  /** Id's of channels associated with this endpoint */
  channel_ids: string[];
}

/**
 * A text message.
 *
 * Source: endpoints.json, model TextMessage.
 */
export interface TextMessage {
  /** A technology specific URI specifying the source of the message. For pjsip technology, any SIP URI can be specified. For xmpp, the URI must correspond to the client connection being used to send the message. */
  from: string;
  /** A technology specific URI specifying the destination of the message. Valid technologies include pjsip, and xmp. The destination of a message should be an endpoint. */
  to: string;
  /** The text of the message. */
  body: string;
  /** Technology specific key/value pairs (JSON object) associated with the message. */
  variables?: Record<string, unknown>;
}

/**
 * Dialed channel information.
 *
 * Source: channels.json, model Dialed.
 */
export interface Dialed {
}

/**
 * Dialplan location (context/extension/priority)
 *
 * Source: channels.json, model DialplanCEP.
 */
export interface DialplanCEP {
  /** Context in the dialplan */
  context: string;
  /** Extension in the dialplan */
  exten: string;
  /** Priority in the dialplan */
  priority: number;
  /** Name of current dialplan application */
  app_name: string;
  /** Parameter of current dialplan application */
  app_data: string;
}

/**
 * Caller identification
 *
 * Source: channels.json, model CallerID.
 */
export interface CallerID {
  name: string;
  number: string;
}

/**
 * A statistics of a RTP.
 *
 * Source: channels.json, model RTPstat.
 */
export interface RTPstat {
  /** Number of packets transmitted. */
  txcount: number;
  /** Number of packets received. */
  rxcount: number;
  /** Jitter on transmitted packets. */
  txjitter?: number;
  /** Jitter on received packets. */
  rxjitter?: number;
  /** Maximum jitter on remote side. */
  remote_maxjitter?: number;
  /** Minimum jitter on remote side. */
  remote_minjitter?: number;
  /** Average jitter on remote side. */
  remote_normdevjitter?: number;
  /** Standard deviation jitter on remote side. */
  remote_stdevjitter?: number;
  /** Maximum jitter on local side. */
  local_maxjitter?: number;
  /** Minimum jitter on local side. */
  local_minjitter?: number;
  /** Average jitter on local side. */
  local_normdevjitter?: number;
  /** Standard deviation jitter on local side. */
  local_stdevjitter?: number;
  /** Number of transmitted packets lost. */
  txploss: number;
  /** Number of received packets lost. */
  rxploss: number;
  /** Maximum number of packets lost on remote side. */
  remote_maxrxploss?: number;
  /** Minimum number of packets lost on remote side. */
  remote_minrxploss?: number;
  /** Average number of packets lost on remote side. */
  remote_normdevrxploss?: number;
  /** Standard deviation packets lost on remote side. */
  remote_stdevrxploss?: number;
  /** Maximum number of packets lost on local side. */
  local_maxrxploss?: number;
  /** Minimum number of packets lost on local side. */
  local_minrxploss?: number;
  /** Average number of packets lost on local side. */
  local_normdevrxploss?: number;
  /** Standard deviation packets lost on local side. */
  local_stdevrxploss?: number;
  /** Total round trip time. */
  rtt?: number;
  /** Maximum round trip time. */
  maxrtt?: number;
  /** Minimum round trip time. */
  minrtt?: number;
  /** Average round trip time. */
  normdevrtt?: number;
  /** Standard deviation round trip time. */
  stdevrtt?: number;
  /** Our SSRC. */
  local_ssrc: number;
  /** Their SSRC. */
  remote_ssrc: number;
  /** Number of octets transmitted. */
  txoctetcount: number;
  /** Number of octets received. */
  rxoctetcount: number;
  /** The Asterisk channel's unique ID that owns this instance. */
  channel_uniqueid: string;
}

/**
 * A specific communication connection between Asterisk and an Endpoint.
 *
 * Source: channels.json, model Channel.
 */
export interface Channel {
  /**
   * Unique identifier of the channel.
   *
   * This is the same as the Uniqueid field in AMI.
   */
  id: string;
  /** Protocol id from underlying channel driver (i.e. Call-ID for chan_pjsip; will be empty if not applicable or not implemented by driver). */
  protocol_id: string;
  /** Name of the channel (i.e. SIP/foo-0000a7e3) */
  name: string;
  state: "Down" | "Rsrved" | "OffHook" | "Dialing" | "Ring" | "Ringing" | "Up" | "Busy" | "Dialing Offhook" | "Pre-ring" | "Unknown";
  caller: CallerID;
  connected: CallerID;
  accountcode: string;
  /** Current location in the dialplan */
  dialplan: DialplanCEP;
  /** Timestamp when channel was created */
  creationtime: string;
  /** The default spoken language */
  language: string;
  /** Channel variables */
  channelvars?: Record<string, unknown>;
  /** The Caller ID RDNIS */
  caller_rdnis?: string;
  /** The Tenant ID for the channel */
  tenantid?: string;
}

/**
 * The merging of media from one or more channels.
 *
 * Everyone on the bridge receives the same audio.
 *
 * Source: bridges.json, model Bridge.
 */
export interface Bridge {
  /** Unique identifier for this bridge */
  id: string;
  /** Name of the current bridging technology */
  technology: string;
  /** Type of bridge technology */
  bridge_type: "mixing" | "holding";
  /** Bridging class */
  bridge_class: string;
  /** Entity that created the bridge */
  creator: string;
  /** Name the creator gave the bridge */
  name: string;
  /** Ids of channels participating in this bridge */
  channels: string[];
  /** The video mode the bridge is using. One of 'none', 'talker', 'sfu', or 'single'. */
  video_mode?: string;
  /** The ID of the channel that is the source of video in this bridge, if one exists. */
  video_source_id?: string;
  /** Timestamp when bridge was created */
  creationtime: string;
  /** Bridge variables */
  bridgevars?: Record<string, unknown>;
}

/**
 * A past recording that may be played back.
 *
 * Source: recordings.json, model StoredRecording.
 */
export interface StoredRecording {
  name: string;
  format: string;
}

/**
 * A recording that is in progress
 *
 * Source: recordings.json, model LiveRecording.
 */
export interface LiveRecording {
  /** Base name for the recording */
  name: string;
  /** Recording format (wav, gsm, etc.) */
  format: string;
  /** URI for the channel or bridge being recorded */
  target_uri: string;
  state: "queued" | "recording" | "paused" | "done" | "failed" | "canceled";
  /** Duration in seconds of the recording */
  duration?: number;
  /** Duration of talking, in seconds, detected in the recording. This is only available if the recording was initiated with a non-zero maxSilenceSeconds. */
  talking_duration?: number;
  /** Duration of silence, in seconds, detected in the recording. This is only available if the recording was initiated with a non-zero maxSilenceSeconds. */
  silence_duration?: number;
  /** Cause for recording failure if failed */
  cause?: string;
}

/**
 * Identifies the format and language of a sound file
 *
 * Source: sounds.json, model FormatLangPair.
 */
export interface FormatLangPair {
  language: string;
  format: string;
}

/**
 * A media file that may be played back.
 *
 * Source: sounds.json, model Sound.
 */
export interface Sound {
  /** Sound's identifier. */
  id: string;
  /** Text description of the sound, usually the words spoken. */
  text?: string;
  /** The formats and languages in which this sound is available. */
  formats: FormatLangPair[];
}

/**
 * Object representing the playback of media to a channel
 *
 * Source: playbacks.json, model Playback.
 */
export interface Playback {
  /** ID for this playback operation */
  id: string;
  /** The URI for the media currently being played back. */
  media_uri: string;
  /** If a list of URIs is being played, the next media URI to be played back. */
  next_media_uri?: string;
  /** URI for the channel or bridge to play the media on */
  target_uri: string;
  /** For media types that support multiple languages, the language requested for playback. */
  language?: string;
  /** Current state of the playback operation. */
  state: "queued" | "playing" | "continuing" | "done" | "failed";
}

/**
 * Represents the state of a device.
 *
 * Source: deviceStates.json, model DeviceState.
 */
export interface DeviceState {
  /** Name of the device. */
  name: string;
  /** Device's state */
  state: "UNKNOWN" | "NOT_INUSE" | "INUSE" | "BUSY" | "INVALID" | "UNAVAILABLE" | "RINGING" | "RINGINUSE" | "ONHOLD";
}

/**
 * Represents the state of a mailbox.
 *
 * Source: mailboxes.json, model Mailbox.
 */
export interface Mailbox {
  /** Name of the mailbox. */
  name: string;
  /** Count of old messages in the mailbox. */
  old_messages: number;
  /** Count of new messages in the mailbox. */
  new_messages: number;
}

/**
 * Base type for errors and events
 *
 * Source: events.json, model Message.
 */
export interface Message {
  /** Indicates the type of this message. */
  type: string;
  /** The unique ID for the Asterisk instance that raised this event. */
  asterisk_id?: string;
}

/**
 * Error event sent when required params are missing.
 *
 * Source: events.json, model MissingParams.
 */
export interface MissingParams extends Message {
  type: "MissingParams";
  /** A list of the missing parameters */
  params: string[];
}

/**
 * Base type for asynchronous events from Asterisk.
 *
 * Source: events.json, model Event.
 */
export interface Event extends Message {
  /** Name of the application receiving the event. */
  application: string;
  /** Time at which this event was created. */
  timestamp: string;
}

/**
 * Detailed information about a contact on an endpoint.
 *
 * Source: events.json, model ContactInfo.
 */
export interface ContactInfo {
  /** The location of the contact. */
  uri: string;
  /** The current status of the contact. */
  contact_status: "Unreachable" | "Reachable" | "Unknown" | "NonQualified" | "Removed";
  /** The Address of Record this contact belongs to. */
  aor: string;
  /** Current round trip time, in microseconds, for the contact. */
  roundtrip_usec?: string;
}

/**
 * Detailed information about a remote peer that communicates with Asterisk.
 *
 * Source: events.json, model Peer.
 */
export interface Peer {
  /** The current state of the peer. Note that the values of the status are dependent on the underlying peer technology. */
  peer_status: string;
  /** An optional reason associated with the change in peer_status. */
  cause?: string;
  /** The IP address of the peer. */
  address?: string;
  /** The port of the peer. */
  port?: string;
  /** The last known time the peer was contacted. */
  time?: string;
}

/**
 * Notification that a device state has changed.
 *
 * Source: events.json, model DeviceStateChanged.
 */
export interface DeviceStateChanged extends Event {
  type: "DeviceStateChanged";
  /** Device state object */
  device_state: DeviceState;
}

/**
 * Event showing the start of a media playback operation.
 *
 * Source: events.json, model PlaybackStarted.
 */
export interface PlaybackStarted extends Event {
  type: "PlaybackStarted";
  /** Playback control object */
  playback: Playback;
}

/**
 * Event showing the continuation of a media playback operation from one media URI to the next in the list.
 *
 * Source: events.json, model PlaybackContinuing.
 */
export interface PlaybackContinuing extends Event {
  type: "PlaybackContinuing";
  /** Playback control object */
  playback: Playback;
}

/**
 * Event showing the completion of a media playback operation.
 *
 * Source: events.json, model PlaybackFinished.
 */
export interface PlaybackFinished extends Event {
  type: "PlaybackFinished";
  /** Playback control object */
  playback: Playback;
}

/**
 * Event showing the start of a recording operation.
 *
 * Source: events.json, model RecordingStarted.
 */
export interface RecordingStarted extends Event {
  type: "RecordingStarted";
  /** Recording control object */
  recording: LiveRecording;
}

/**
 * Event showing the completion of a recording operation.
 *
 * Source: events.json, model RecordingFinished.
 */
export interface RecordingFinished extends Event {
  type: "RecordingFinished";
  /** Recording control object */
  recording: LiveRecording;
}

/**
 * Event showing failure of a recording operation.
 *
 * Source: events.json, model RecordingFailed.
 */
export interface RecordingFailed extends Event {
  type: "RecordingFailed";
  /** Recording control object */
  recording: LiveRecording;
}

/**
 * Notification that trying to move a channel to another Stasis application failed.
 *
 * Source: events.json, model ApplicationMoveFailed.
 */
export interface ApplicationMoveFailed extends Event {
  type: "ApplicationMoveFailed";
  channel: Channel;
  destination: string;
  /** Arguments to the application */
  args: string[];
}

/**
 * Notification that a Stasis app has been registered.
 *
 * Source: events.json, model ApplicationRegistered.
 */
export interface ApplicationRegistered extends Event {
  type: "ApplicationRegistered";
}

/**
 * Notification that a Stasis app has been unregistered.
 *
 * Source: events.json, model ApplicationUnregistered.
 */
export interface ApplicationUnregistered extends Event {
  type: "ApplicationUnregistered";
}

/**
 * Notification that another WebSocket has taken over for an application.
 *
 * An application may only be subscribed to by a single WebSocket at a time. If multiple WebSockets attempt to subscribe to the same application, the newer WebSocket wins, and the older one receives this event.
 *
 * Source: events.json, model ApplicationReplaced.
 */
export interface ApplicationReplaced extends Event {
  type: "ApplicationReplaced";
}

/**
 * Notification that a bridge has been created.
 *
 * Source: events.json, model BridgeCreated.
 */
export interface BridgeCreated extends Event {
  type: "BridgeCreated";
  bridge: Bridge;
}

/**
 * Notification that a bridge has been destroyed.
 *
 * Source: events.json, model BridgeDestroyed.
 */
export interface BridgeDestroyed extends Event {
  type: "BridgeDestroyed";
  bridge: Bridge;
}

/**
 * Notification that one bridge has merged into another.
 *
 * Source: events.json, model BridgeMerged.
 */
export interface BridgeMerged extends Event {
  type: "BridgeMerged";
  bridge: Bridge;
  bridge_from: Bridge;
}

/**
 * Notification that the source of video in a bridge has changed.
 *
 * Source: events.json, model BridgeVideoSourceChanged.
 */
export interface BridgeVideoSourceChanged extends Event {
  type: "BridgeVideoSourceChanged";
  bridge: Bridge;
  old_video_source_id?: string;
}

/**
 * Notification that a blind transfer has occurred.
 *
 * Source: events.json, model BridgeBlindTransfer.
 */
export interface BridgeBlindTransfer extends Event {
  type: "BridgeBlindTransfer";
  /** The channel performing the blind transfer */
  channel: Channel;
  /** The channel that is replacing transferer when the transferee(s) can not be transferred directly */
  replace_channel?: Channel;
  /** The channel that is being transferred */
  transferee?: Channel;
  /** The extension transferred to */
  exten: string;
  /** The context transferred to */
  context: string;
  /** The result of the transfer attempt */
  result: string;
  /** Whether the transfer was externally initiated or not */
  is_external: boolean;
  /** The bridge being transferred */
  bridge?: Bridge;
}

/**
 * Notification that an attended transfer has occurred.
 *
 * Source: events.json, model BridgeAttendedTransfer.
 */
export interface BridgeAttendedTransfer extends Event {
  type: "BridgeAttendedTransfer";
  /** First leg of the transferer */
  transferer_first_leg: Channel;
  /** Second leg of the transferer */
  transferer_second_leg: Channel;
  /** The channel that is replacing transferer_first_leg in the swap */
  replace_channel?: Channel;
  /** The channel that is being transferred */
  transferee?: Channel;
  /** The channel that is being transferred to */
  transfer_target?: Channel;
  /** The result of the transfer attempt */
  result: string;
  /** Whether the transfer was externally initiated or not */
  is_external: boolean;
  /** Bridge the transferer first leg is in */
  transferer_first_leg_bridge?: Bridge;
  /** Bridge the transferer second leg is in */
  transferer_second_leg_bridge?: Bridge;
  /** How the transfer was accomplished */
  destination_type: string;
  /** Bridge that survived the merge result */
  destination_bridge?: string;
  /** Application that has been transferred into */
  destination_application?: string;
  /** First leg of a link transfer result */
  destination_link_first_leg?: Channel;
  /** Second leg of a link transfer result */
  destination_link_second_leg?: Channel;
  /** Transferer channel that survived the threeway result */
  destination_threeway_channel?: Channel;
  /** Bridge that survived the threeway result */
  destination_threeway_bridge?: Bridge;
}

/**
 * Notification that a channel has been created.
 *
 * Source: events.json, model ChannelCreated.
 */
export interface ChannelCreated extends Event {
  type: "ChannelCreated";
  channel: Channel;
}

/**
 * Notification that a channel has been destroyed.
 *
 * Source: events.json, model ChannelDestroyed.
 */
export interface ChannelDestroyed extends Event {
  type: "ChannelDestroyed";
  /** Integer representation of the cause of the hangup */
  cause: number;
  /** Text representation of the cause of the hangup */
  cause_txt: string;
  /** Integer representation of the technology-specific off-nominal cause of the hangup. */
  tech_cause?: number;
  channel: Channel;
}

/**
 * Notification that a channel has entered a bridge.
 *
 * Source: events.json, model ChannelEnteredBridge.
 */
export interface ChannelEnteredBridge extends Event {
  type: "ChannelEnteredBridge";
  bridge: Bridge;
  channel?: Channel;
}

/**
 * Notification that a channel has left a bridge.
 *
 * Source: events.json, model ChannelLeftBridge.
 */
export interface ChannelLeftBridge extends Event {
  type: "ChannelLeftBridge";
  bridge: Bridge;
  channel: Channel;
}

/**
 * Notification of a channel's state change.
 *
 * Source: events.json, model ChannelStateChange.
 */
export interface ChannelStateChange extends Event {
  type: "ChannelStateChange";
  channel: Channel;
}

/**
 * DTMF received on a channel.
 *
 * This event is sent when the DTMF ends. There is no notification about the start of DTMF
 *
 * Source: events.json, model ChannelDtmfReceived.
 */
export interface ChannelDtmfReceived extends Event {
  type: "ChannelDtmfReceived";
  /** DTMF digit received (0-9, A-E, # or *) */
  digit: string;
  /** Number of milliseconds DTMF was received */
  duration_ms: number;
  /** The channel on which DTMF was received */
  channel: Channel;
}

/**
 * Channel changed location in the dialplan.
 *
 * Source: events.json, model ChannelDialplan.
 */
export interface ChannelDialplan extends Event {
  type: "ChannelDialplan";
  /** The channel that changed dialplan location. */
  channel: Channel;
  /** The application about to be executed. */
  dialplan_app: string;
  /** The data to be passed to the application. */
  dialplan_app_data: string;
}

/**
 * Channel changed Caller ID.
 *
 * Source: events.json, model ChannelCallerId.
 */
export interface ChannelCallerId extends Event {
  type: "ChannelCallerId";
  /** The integer representation of the Caller Presentation value. */
  caller_presentation: number;
  /** The text representation of the Caller Presentation value. */
  caller_presentation_txt: string;
  /** The channel that changed Caller ID. */
  channel: Channel;
}

/**
 * User-generated event with additional user-defined fields in the object.
 *
 * Source: events.json, model ChannelUserevent.
 */
export interface ChannelUserevent extends Event {
  type: "ChannelUserevent";
  /** The name of the user event. */
  eventname: string;
  /** A channel that is signaled with the user event. */
  channel?: Channel;
  /** A bridge that is signaled with the user event. */
  bridge?: Bridge;
  /** A endpoint that is signaled with the user event. */
  endpoint?: Endpoint;
  /** Custom Userevent data */
  userevent: Record<string, unknown>;
}

/**
 * A hangup was requested on the channel.
 *
 * Source: events.json, model ChannelHangupRequest.
 */
export interface ChannelHangupRequest extends Event {
  type: "ChannelHangupRequest";
  /** Integer representation of the cause of the hangup. */
  cause?: number;
  /** Integer representation of the technology-specific off-nominal cause of the hangup. */
  tech_cause?: number;
  /** Whether the hangup request was a soft hangup request. */
  soft?: boolean;
  /** The channel on which the hangup was requested. */
  channel: Channel;
}

/**
 * Channel variable changed.
 *
 * Source: events.json, model ChannelVarset.
 */
export interface ChannelVarset extends Event {
  type: "ChannelVarset";
  /** The variable that changed. */
  variable: string;
  /** The new value of the variable. */
  value: string;
  /**
   * The channel on which the variable was set.
   *
   * If missing, the variable is a global variable.
   */
  channel?: Channel;
}

/**
 * A channel initiated a media hold.
 *
 * Source: events.json, model ChannelHold.
 */
export interface ChannelHold extends Event {
  type: "ChannelHold";
  /** The channel that initiated the hold event. */
  channel: Channel;
  /** The music on hold class that the initiator requested. */
  musicclass?: string;
}

/**
 * A channel initiated a media unhold.
 *
 * Source: events.json, model ChannelUnhold.
 */
export interface ChannelUnhold extends Event {
  type: "ChannelUnhold";
  /** The channel that initiated the unhold event. */
  channel: Channel;
}

/**
 * Tone was detected on the channel.
 *
 * Source: events.json, model ChannelToneDetected.
 */
export interface ChannelToneDetected extends Event {
  type: "ChannelToneDetected";
  /** The channel the tone was detected on. */
  channel: Channel;
}

/**
 * Talking was detected on the channel.
 *
 * Source: events.json, model ChannelTalkingStarted.
 */
export interface ChannelTalkingStarted extends Event {
  type: "ChannelTalkingStarted";
  /** The channel on which talking started. */
  channel: Channel;
}

/**
 * Talking is no longer detected on the channel.
 *
 * Source: events.json, model ChannelTalkingFinished.
 */
export interface ChannelTalkingFinished extends Event {
  type: "ChannelTalkingFinished";
  /** The channel on which talking completed. */
  channel: Channel;
  /** The length of time, in milliseconds, that talking was detected on the channel */
  duration: number;
}

/**
 * The state of a contact on an endpoint has changed.
 *
 * Source: events.json, model ContactStatusChange.
 */
export interface ContactStatusChange extends Event {
  type: "ContactStatusChange";
  endpoint: Endpoint;
  contact_info: ContactInfo;
}

/**
 * The state of a peer associated with an endpoint has changed.
 *
 * Source: events.json, model PeerStatusChange.
 */
export interface PeerStatusChange extends Event {
  type: "PeerStatusChange";
  endpoint: Endpoint;
  peer: Peer;
}

/**
 * Endpoint state changed.
 *
 * Source: events.json, model EndpointStateChange.
 */
export interface EndpointStateChange extends Event {
  type: "EndpointStateChange";
  endpoint: Endpoint;
}

/**
 * Dialing state has changed.
 *
 * Source: events.json, model Dial.
 */
export interface Dial extends Event {
  type: "Dial";
  /** The calling channel. */
  caller?: Channel;
  /** The dialed channel. */
  peer: Channel;
  /** Forwarding target requested by the original dialed channel. */
  forward?: string;
  /** Channel that the caller has been forwarded to. */
  forwarded?: Channel;
  /** The dial string for calling the peer channel. */
  dialstring?: string;
  /** Current status of the dialing attempt to the peer. */
  dialstatus: string;
}

/**
 * Notification that a channel has left a Stasis application.
 *
 * Source: events.json, model StasisEnd.
 */
export interface StasisEnd extends Event {
  type: "StasisEnd";
  channel: Channel;
}

/**
 * Notification that a channel has entered a Stasis application.
 *
 * Source: events.json, model StasisStart.
 */
export interface StasisStart extends Event {
  type: "StasisStart";
  /** Arguments to the application */
  args: string[];
  channel: Channel;
  replace_channel?: Channel;
}

/**
 * A text message was received from an endpoint.
 *
 * Source: events.json, model TextMessageReceived.
 */
export interface TextMessageReceived extends Event {
  type: "TextMessageReceived";
  message: TextMessage;
  endpoint?: Endpoint;
}

/**
 * Channel changed Connected Line.
 *
 * Source: events.json, model ChannelConnectedLine.
 */
export interface ChannelConnectedLine extends Event {
  type: "ChannelConnectedLine";
  /** The channel whose connected line has changed. */
  channel: Channel;
}

/**
 * transfer on a channel.
 *
 * Source: events.json, model ChannelTransfer.
 */
export interface ChannelTransfer extends Event {
  type: "ChannelTransfer";
  /** Transfer State */
  state?: string;
  /** Refer-To information with optionally both affected channels */
  refer_to: ReferTo;
  /** Referred-By SIP Header according rfc3892 */
  referred_by: ReferredBy;
}

/**
 * transfer destination requested by transferee
 *
 * Source: events.json, model ReferTo.
 */
export interface ReferTo {
  requested_destination: RequiredDestination;
  /** The Channel Object, that is to be replaced */
  destination_channel?: Channel;
  /** Channel, connected to the to be replaced channel */
  connected_channel?: Channel;
  /** Bridge connecting both destination channels */
  bridge?: Bridge;
}

/**
 * transfer destination requested by transferee
 *
 * Source: events.json, model ReferredBy.
 */
export interface ReferredBy {
  /** The channel on which the refer was received */
  source_channel: Channel;
  /** Channel, Connected to the channel, receiving the transfer request on. */
  connected_channel?: Channel;
  /** Bridge connecting both Channels */
  bridge?: Bridge;
}

/**
 * Information about the requested destination
 *
 * Source: events.json, model RequiredDestination.
 */
export interface RequiredDestination {
  /** the requested protocol-id by the referee in case of SIP channel, this is a SIP Call ID, Mutually exclusive to destination */
  protocol_id?: string;
  /** Destination User Part. Only for Blind transfer. Mutually exclusive to protocol_id */
  destination?: string;
  /** List of additional protocol specific information */
  additional_protocol_params?: AdditionalParam[];
}

/**
 * Protocol specific additional parameter
 *
 * Source: events.json, model AdditionalParam.
 */
export interface AdditionalParam {
  /** Name of the parameter */
  parameter_name: string;
  /** Value of the parameter */
  parameter_value: string;
}

/**
 * REST over Websocket header
 *
 * Source: events.json, model RESTHeader.
 */
export interface RESTHeader {
  /** Header name */
  name: string;
  /** Header value */
  value: string;
}

/**
 * REST over Websocket Query String Parameter
 *
 * Source: events.json, model RESTQueryStringParameter.
 */
export interface RESTQueryStringParameter {
  /** Parameter name */
  name: string;
  /** Parameter value */
  value: string;
}

/**
 * REST over Websocket Request.
 *
 * Source: events.json, model RESTRequest.
 */
export interface RESTRequest {
  /** Message type.  Must be 'RESTRequest' */
  type: string;
  /** Opaque transaction id.  Can be any valid string.  Will be returned in any response to this request. */
  transaction_id: string;
  /** Opaque request id.  Can be any valid string.  Will be returned in any response to this request. */
  request_id: string;
  /** HTTP method (GET, PUT, POST, DELETE, etc.) */
  method: string;
  /** Resource URI with optional query string parameters. */
  uri: string;
  /** The Content-Type of the message body. */
  content_type?: string;
  /** Request query string parameters. */
  query_strings?: RESTQueryStringParameter[];
  /** Request message body. Only content types application/json and application/x-www-form-urlencoded are supported. */
  message_body?: string;
}

/**
 * REST over Websocket Response.
 *
 * Source: events.json, model RESTResponse.
 */
export interface RESTResponse extends Event {
  type: "RESTResponse";
  /** Opaque transaction id.  Will be whatever was specified on the original request. */
  transaction_id: string;
  /** Opaque request id.  Will be whatever was specified on the original request. */
  request_id: string;
  /** HTTP status code */
  status_code: number;
  /** HTTP reason phrase */
  reason_phrase: string;
  /** Original request resource URI */
  uri: string;
  /** The Content-Type of the message body. */
  content_type?: string;
  /** Response message body */
  message_body?: string;
}

/**
 * Notification that a channel is being broadcast to ARI applications for claiming.
 *
 * Source: events.json, model CallBroadcast.
 */
export interface CallBroadcast extends Event {
  type: "CallBroadcast";
  /** The channel being broadcast. */
  channel: Channel;
  /** The caller ID number. */
  caller?: string;
  /** The called number. */
  called?: string;
}

/**
 * Notification that a broadcast channel has been successfully claimed by an ARI application.
 *
 * Source: events.json, model CallClaimed.
 */
export interface CallClaimed extends Event {
  type: "CallClaimed";
  /** The channel that was claimed. */
  channel: Channel;
  /** The name of the ARI application that claimed the channel. */
  winner_app: string;
}

/**
 * Details of a Stasis application
 *
 * Source: applications.json, model Application.
 */
export interface Application {
  /** Name of this application */
  name: string;
  /** Id's for channels subscribed to. */
  channel_ids: string[];
  /** Id's for bridges subscribed to. */
  bridge_ids: string[];
  /** {tech}/{resource} for endpoints subscribed to. */
  endpoint_ids: string[];
  /** Names of the devices subscribed to. */
  device_names: string[];
  /** Event types sent to the application. */
  events_allowed: Record<string, unknown>[];
  /** Event types not sent to the application. */
  events_disallowed: Record<string, unknown>[];
}

/** Every event Asterisk sends on the events WebSocket (events.json, subtypes of Event). */
export type AriEvent =
  | DeviceStateChanged
  | PlaybackStarted
  | PlaybackContinuing
  | PlaybackFinished
  | RecordingStarted
  | RecordingFinished
  | RecordingFailed
  | ApplicationMoveFailed
  | ApplicationRegistered
  | ApplicationUnregistered
  | ApplicationReplaced
  | BridgeCreated
  | BridgeDestroyed
  | BridgeMerged
  | BridgeVideoSourceChanged
  | BridgeBlindTransfer
  | BridgeAttendedTransfer
  | ChannelCreated
  | ChannelDestroyed
  | ChannelEnteredBridge
  | ChannelLeftBridge
  | ChannelStateChange
  | ChannelDtmfReceived
  | ChannelDialplan
  | ChannelCallerId
  | ChannelUserevent
  | ChannelHangupRequest
  | ChannelVarset
  | ChannelHold
  | ChannelUnhold
  | ChannelToneDetected
  | ChannelTalkingStarted
  | ChannelTalkingFinished
  | ContactStatusChange
  | PeerStatusChange
  | EndpointStateChange
  | Dial
  | StasisEnd
  | StasisStart
  | TextMessageReceived
  | ChannelConnectedLine
  | ChannelTransfer
  | RESTResponse
  | CallBroadcast
  | CallClaimed;

export type AriEventType = AriEvent['type'];

export const ARI_EVENT_TYPES = [
  "DeviceStateChanged",
  "PlaybackStarted",
  "PlaybackContinuing",
  "PlaybackFinished",
  "RecordingStarted",
  "RecordingFinished",
  "RecordingFailed",
  "ApplicationMoveFailed",
  "ApplicationRegistered",
  "ApplicationUnregistered",
  "ApplicationReplaced",
  "BridgeCreated",
  "BridgeDestroyed",
  "BridgeMerged",
  "BridgeVideoSourceChanged",
  "BridgeBlindTransfer",
  "BridgeAttendedTransfer",
  "ChannelCreated",
  "ChannelDestroyed",
  "ChannelEnteredBridge",
  "ChannelLeftBridge",
  "ChannelStateChange",
  "ChannelDtmfReceived",
  "ChannelDialplan",
  "ChannelCallerId",
  "ChannelUserevent",
  "ChannelHangupRequest",
  "ChannelVarset",
  "ChannelHold",
  "ChannelUnhold",
  "ChannelToneDetected",
  "ChannelTalkingStarted",
  "ChannelTalkingFinished",
  "ContactStatusChange",
  "PeerStatusChange",
  "EndpointStateChange",
  "Dial",
  "StasisEnd",
  "StasisStart",
  "TextMessageReceived",
  "ChannelConnectedLine",
  "ChannelTransfer",
  "RESTResponse",
  "CallBroadcast",
  "CallClaimed",
] as const satisfies readonly AriEventType[];

/** Every REST operation, keyed `METHOD /path` as the Swagger files declare it. */
export interface AriOperations {
  /** getObject: Retrieve a dynamic configuration object. (asterisk.json) */
  "GET /asterisk/config/dynamic/{configClass}/{objectType}/{id}": {
    path: { configClass: string; objectType: string; id: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: ConfigTuple[];
  };
  /** updateObject: Create or update a dynamic configuration object. (asterisk.json) */
  "PUT /asterisk/config/dynamic/{configClass}/{objectType}/{id}": {
    path: { configClass: string; objectType: string; id: string };
    query: Record<string, never>;
    body: { fields?: Record<string, unknown> };
    response: ConfigTuple[];
  };
  /** deleteObject: Delete a dynamic configuration object. (asterisk.json) */
  "DELETE /asterisk/config/dynamic/{configClass}/{objectType}/{id}": {
    path: { configClass: string; objectType: string; id: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** getInfo: Gets Asterisk system information. (asterisk.json) */
  "GET /asterisk/info": {
    path: Record<string, never>;
    query: { only?: ("build" | "system" | "config" | "status") | Array<"build" | "system" | "config" | "status"> };
    body: Record<string, never>;
    response: AsteriskInfo;
  };
  /** ping: Response pong message. (asterisk.json) */
  "GET /asterisk/ping": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: AsteriskPing;
  };
  /** listModules: List Asterisk modules. (asterisk.json) */
  "GET /asterisk/modules": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Module[];
  };
  /** getModule: Get Asterisk module information. (asterisk.json) */
  "GET /asterisk/modules/{moduleName}": {
    path: { moduleName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Module;
  };
  /** loadModule: Load an Asterisk module. (asterisk.json) */
  "POST /asterisk/modules/{moduleName}": {
    path: { moduleName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** unloadModule: Unload an Asterisk module. (asterisk.json) */
  "DELETE /asterisk/modules/{moduleName}": {
    path: { moduleName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** reloadModule: Reload an Asterisk module. (asterisk.json) */
  "PUT /asterisk/modules/{moduleName}": {
    path: { moduleName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** listLogChannels: Gets Asterisk log channel information. (asterisk.json) */
  "GET /asterisk/logging": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: LogChannel[];
  };
  /** addLog: Adds a log channel. (asterisk.json) */
  "POST /asterisk/logging/{logChannelName}": {
    path: { logChannelName: string };
    query: { configuration: string };
    body: Record<string, never>;
    response: void;
  };
  /** deleteLog: Deletes a log channel. (asterisk.json) */
  "DELETE /asterisk/logging/{logChannelName}": {
    path: { logChannelName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** rotateLog: Rotates a log channel. (asterisk.json) */
  "PUT /asterisk/logging/{logChannelName}/rotate": {
    path: { logChannelName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** getGlobalVar: Get the value of a global variable. (asterisk.json) */
  "GET /asterisk/variable": {
    path: Record<string, never>;
    query: { variable: string };
    body: Record<string, never>;
    response: Variable;
  };
  /** setGlobalVar: Set the value of a global variable. (asterisk.json) */
  "POST /asterisk/variable": {
    path: Record<string, never>;
    query: { variable: string; value?: string };
    body: Record<string, never>;
    response: void;
  };
  /** list: List all endpoints. (endpoints.json) */
  "GET /endpoints": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Endpoint[];
  };
  /** sendMessage: Send a message to some technology URI or endpoint. (endpoints.json) */
  "PUT /endpoints/sendMessage": {
    path: Record<string, never>;
    query: { to: string; from: string; body?: string };
    body: { variables?: Record<string, unknown> };
    response: void;
  };
  /** refer: Refer an endpoint or technology URI to some technology URI or endpoint. (endpoints.json) */
  "POST /endpoints/refer": {
    path: Record<string, never>;
    query: { to: string; from: string; refer_to: string; to_self?: boolean };
    body: { variables?: Record<string, unknown> };
    response: void;
  };
  /** listByTech: List available endoints for a given endpoint technology. (endpoints.json) */
  "GET /endpoints/{tech}": {
    path: { tech: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Endpoint[];
  };
  /** get: Details for an endpoint. (endpoints.json) */
  "GET /endpoints/{tech}/{resource}": {
    path: { tech: string; resource: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Endpoint;
  };
  /** sendMessageToEndpoint: Send a message to some endpoint in a technology. (endpoints.json) */
  "PUT /endpoints/{tech}/{resource}/sendMessage": {
    path: { tech: string; resource: string };
    query: { from: string; body?: string };
    body: { variables?: Record<string, unknown> };
    response: void;
  };
  /** referToEndpoint: Refer an endpoint or technology URI to some technology URI or endpoint. (endpoints.json) */
  "POST /endpoints/{tech}/{resource}/refer": {
    path: { tech: string; resource: string };
    query: { from: string; refer_to: string; to_self?: boolean };
    body: { variables?: Record<string, unknown> };
    response: void;
  };
  /** list: List all active channels in Asterisk. (channels.json) */
  "GET /channels": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Channel[];
  };
  /** originate: Create a new channel (originate). (channels.json) */
  "POST /channels": {
    path: Record<string, never>;
    query: { endpoint: string; extension?: string; context?: string; priority?: number; label?: string; app?: string; appArgs?: string; callerId?: string; timeout?: number; channelId?: string; otherChannelId?: string; originator?: string; formats?: string };
    body: { variables?: Record<string, unknown> };
    response: Channel;
  };
  /** create: Create channel. (channels.json) */
  "POST /channels/create": {
    path: Record<string, never>;
    query: { endpoint: string; app: string; appArgs?: string; channelId?: string; otherChannelId?: string; originator?: string; formats?: string };
    body: { variables?: Record<string, unknown> };
    response: Channel;
  };
  /** get: Channel details. (channels.json) */
  "GET /channels/{channelId}": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Channel;
  };
  /** originateWithId: Create a new channel (originate with id). (channels.json) */
  "POST /channels/{channelId}": {
    path: { channelId: string };
    query: { endpoint: string; extension?: string; context?: string; priority?: number; label?: string; app?: string; appArgs?: string; callerId?: string; timeout?: number; otherChannelId?: string; originator?: string; formats?: string };
    body: { variables?: Record<string, unknown> };
    response: Channel;
  };
  /** hangup: Delete (i.e. hangup) a channel. (channels.json) */
  "DELETE /channels/{channelId}": {
    path: { channelId: string };
    query: { reason_code?: string; reason?: "normal" | "busy" | "congestion" | "no_answer" | "timeout" | "rejected" | "unallocated" | "normal_unspecified" | "number_incomplete" | "codec_mismatch" | "interworking" | "failure" | "answered_elsewhere" };
    body: Record<string, never>;
    response: void;
  };
  /** continueInDialplan: Exit application; continue execution in the dialplan. (channels.json) */
  "POST /channels/{channelId}/continue": {
    path: { channelId: string };
    query: { context?: string; extension?: string; priority?: number; label?: string };
    body: Record<string, never>;
    response: void;
  };
  /** move: Move the channel from one Stasis application to another. (channels.json) */
  "POST /channels/{channelId}/move": {
    path: { channelId: string };
    query: { app: string; appArgs?: string };
    body: Record<string, never>;
    response: void;
  };
  /** redirect: Redirect the channel to a different location. (channels.json) */
  "POST /channels/{channelId}/redirect": {
    path: { channelId: string };
    query: { endpoint: string };
    body: Record<string, never>;
    response: void;
  };
  /** answer: Answer a channel. (channels.json) */
  "POST /channels/{channelId}/answer": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** ring: Indicate ringing to a channel. (channels.json) */
  "POST /channels/{channelId}/ring": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** ringStop: Stop ringing indication on a channel if locally generated. (channels.json) */
  "DELETE /channels/{channelId}/ring": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** progress: Indicate progress on a channel. (channels.json) */
  "POST /channels/{channelId}/progress": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** sendDTMF: Send provided DTMF to a given channel. (channels.json) */
  "POST /channels/{channelId}/dtmf": {
    path: { channelId: string };
    query: { dtmf?: string; before?: number; between?: number; duration?: number; after?: number };
    body: Record<string, never>;
    response: void;
  };
  /** mute: Mute a channel. (channels.json) */
  "POST /channels/{channelId}/mute": {
    path: { channelId: string };
    query: { direction?: "both" | "in" | "out" };
    body: Record<string, never>;
    response: void;
  };
  /** unmute: Unmute a channel. (channels.json) */
  "DELETE /channels/{channelId}/mute": {
    path: { channelId: string };
    query: { direction?: "both" | "in" | "out" };
    body: Record<string, never>;
    response: void;
  };
  /** hold: Hold a channel. (channels.json) */
  "POST /channels/{channelId}/hold": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** unhold: Remove a channel from hold. (channels.json) */
  "DELETE /channels/{channelId}/hold": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** startMoh: Play music on hold to a channel. (channels.json) */
  "POST /channels/{channelId}/moh": {
    path: { channelId: string };
    query: { mohClass?: string };
    body: Record<string, never>;
    response: void;
  };
  /** stopMoh: Stop playing music on hold to a channel. (channels.json) */
  "DELETE /channels/{channelId}/moh": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** startSilence: Play silence to a channel. (channels.json) */
  "POST /channels/{channelId}/silence": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** stopSilence: Stop playing silence to a channel. (channels.json) */
  "DELETE /channels/{channelId}/silence": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** play: Start playback of media. (channels.json) */
  "POST /channels/{channelId}/play": {
    path: { channelId: string };
    query: { media: string | Array<string>; lang?: string; offsetms?: number; skipms?: number; playbackId?: string };
    body: Record<string, never>;
    response: Playback;
  };
  /** playWithId: Start playback of media and specify the playbackId. (channels.json) */
  "POST /channels/{channelId}/play/{playbackId}": {
    path: { channelId: string; playbackId: string };
    query: { media: string | Array<string>; lang?: string; offsetms?: number; skipms?: number };
    body: Record<string, never>;
    response: Playback;
  };
  /** record: Start a recording. (channels.json) */
  "POST /channels/{channelId}/record": {
    path: { channelId: string };
    query: { name: string; format: string; maxDurationSeconds?: number; maxSilenceSeconds?: number; ifExists?: "fail" | "overwrite" | "append"; beep?: boolean; terminateOn?: "none" | "any" | "*" | "#" };
    body: Record<string, never>;
    response: LiveRecording;
  };
  /** getChannelVar: Get the value of a channel variable or function. (channels.json) */
  "GET /channels/{channelId}/variable": {
    path: { channelId: string };
    query: { variable: string };
    body: Record<string, never>;
    response: Variable;
  };
  /** setChannelVar: Set the value of a channel variable or function. (channels.json) */
  "POST /channels/{channelId}/variable": {
    path: { channelId: string };
    query: { variable: string; value?: string; report_events?: boolean };
    body: Record<string, never>;
    response: void;
  };
  /** getChannelVars: Get the value of multiple channel variables or functions. (channels.json) */
  "GET /channels/{channelId}/variables": {
    path: { channelId: string };
    query: { variables: string | Array<string> };
    body: Record<string, never>;
    response: Variables;
  };
  /** setChannelVars: Set the values of multiple channel variables or functions. (channels.json) */
  "POST /channels/{channelId}/variables": {
    path: { channelId: string };
    query: Record<string, never>;
    body: { variables: Record<string, unknown> };
    response: void;
  };
  /** snoopChannel: Start snooping. (channels.json) */
  "POST /channels/{channelId}/snoop": {
    path: { channelId: string };
    query: { spy?: "none" | "both" | "out" | "in"; whisper?: "none" | "both" | "out" | "in"; app: string; appArgs?: string; snoopId?: string };
    body: Record<string, never>;
    response: Channel;
  };
  /** snoopChannelWithId: Start snooping. (channels.json) */
  "POST /channels/{channelId}/snoop/{snoopId}": {
    path: { channelId: string; snoopId: string };
    query: { spy?: "none" | "both" | "out" | "in"; whisper?: "none" | "both" | "out" | "in"; app: string; appArgs?: string };
    body: Record<string, never>;
    response: Channel;
  };
  /** dial: Dial a created channel. (channels.json) */
  "POST /channels/{channelId}/dial": {
    path: { channelId: string };
    query: { caller?: string; timeout?: number };
    body: Record<string, never>;
    response: void;
  };
  /** rtpstatistics: RTP stats on a channel. (channels.json) */
  "GET /channels/{channelId}/rtp_statistics": {
    path: { channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: RTPstat;
  };
  /** externalMedia: Start an External Media session. (channels.json) */
  "POST /channels/externalMedia": {
    path: Record<string, never>;
    query: { channelId?: string; app: string; external_host?: string; encapsulation?: "rtp" | "audiosocket" | "none"; transport?: "udp" | "tcp" | "websocket"; connection_type?: "client" | "server"; format: string; direction?: "both"; data?: string; transport_data?: string };
    body: { variables?: Record<string, unknown> };
    response: Channel;
  };
  /** transfer_progress: Inform the channel about the progress of the attended/blind transfer. (channels.json) */
  "POST /channels/{channelId}/transfer_progress": {
    path: { channelId: string };
    query: { states: string };
    body: Record<string, never>;
    response: void;
  };
  /** list: List all active bridges in Asterisk. (bridges.json) */
  "GET /bridges": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Bridge[];
  };
  /** create: Create a new bridge. (bridges.json) */
  "POST /bridges": {
    path: Record<string, never>;
    query: { type?: string; bridgeId?: string; name?: string };
    body: { variables?: Record<string, unknown> };
    response: Bridge;
  };
  /** createWithId: Create a new bridge. (bridges.json) */
  "POST /bridges/{bridgeId}": {
    path: { bridgeId: string };
    query: { type?: string; name?: string };
    body: { variables?: Record<string, unknown> };
    response: Bridge;
  };
  /** get: Get bridge details. (bridges.json) */
  "GET /bridges/{bridgeId}": {
    path: { bridgeId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Bridge;
  };
  /** destroy: Shut down a bridge. (bridges.json) */
  "DELETE /bridges/{bridgeId}": {
    path: { bridgeId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** getBridgeVar: Get the value of a bridge variable or function. (bridges.json) */
  "GET /bridges/{bridgeId}/variable": {
    path: { bridgeId: string };
    query: { variable: string };
    body: Record<string, never>;
    response: Variable;
  };
  /** setBridgeVar: Set the value of a bridge variable or function. (bridges.json) */
  "POST /bridges/{bridgeId}/variable": {
    path: { bridgeId: string };
    query: { variable: string; value?: string; report_events?: boolean };
    body: Record<string, never>;
    response: void;
  };
  /** getBridgeVars: Get the value of multiple bridge variables or functions. (bridges.json) */
  "GET /bridges/{bridgeId}/variables": {
    path: { bridgeId: string };
    query: { variables: string | Array<string> };
    body: Record<string, never>;
    response: Variables;
  };
  /** setBridgeVars: Set the values of multiple bridge variables or functions. (bridges.json) */
  "POST /bridges/{bridgeId}/variables": {
    path: { bridgeId: string };
    query: Record<string, never>;
    body: { variables: Record<string, unknown> };
    response: void;
  };
  /** addChannel: Add a channel to a bridge. (bridges.json) */
  "POST /bridges/{bridgeId}/addChannel": {
    path: { bridgeId: string };
    query: { channel: string | Array<string>; role?: string; absorbDTMF?: boolean; mute?: boolean; inhibitConnectedLineUpdates?: boolean };
    body: Record<string, never>;
    response: void;
  };
  /** removeChannel: Remove a channel from a bridge. (bridges.json) */
  "POST /bridges/{bridgeId}/removeChannel": {
    path: { bridgeId: string };
    query: { channel: string | Array<string> };
    body: Record<string, never>;
    response: void;
  };
  /** setVideoSource: Set a channel as the video source in a multi-party mixing bridge. This operation has no effect on bridges with two or fewer participants. (bridges.json) */
  "POST /bridges/{bridgeId}/videoSource/{channelId}": {
    path: { bridgeId: string; channelId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** clearVideoSource: Removes any explicit video source in a multi-party mixing bridge. This operation has no effect on bridges with two or fewer participants. When no explicit video source is set, talk detection will be used to determine the active video stream. (bridges.json) */
  "DELETE /bridges/{bridgeId}/videoSource": {
    path: { bridgeId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** startMoh: Play music on hold to a bridge or change the MOH class that is playing. (bridges.json) */
  "POST /bridges/{bridgeId}/moh": {
    path: { bridgeId: string };
    query: { mohClass?: string };
    body: Record<string, never>;
    response: void;
  };
  /** stopMoh: Stop playing music on hold to a bridge. (bridges.json) */
  "DELETE /bridges/{bridgeId}/moh": {
    path: { bridgeId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** play: Start playback of media on a bridge. (bridges.json) */
  "POST /bridges/{bridgeId}/play": {
    path: { bridgeId: string };
    query: { media: string | Array<string>; announcer_format?: string; lang?: string; offsetms?: number; skipms?: number; playbackId?: string };
    body: Record<string, never>;
    response: Playback;
  };
  /** playWithId: Start playback of media on a bridge. (bridges.json) */
  "POST /bridges/{bridgeId}/play/{playbackId}": {
    path: { bridgeId: string; playbackId: string };
    query: { media: string | Array<string>; announcer_format?: string; lang?: string; offsetms?: number; skipms?: number };
    body: Record<string, never>;
    response: Playback;
  };
  /** record: Start a recording. (bridges.json) */
  "POST /bridges/{bridgeId}/record": {
    path: { bridgeId: string };
    query: { name: string; format: string; recorder_format?: string; maxDurationSeconds?: number; maxSilenceSeconds?: number; ifExists?: "fail" | "overwrite" | "append"; beep?: boolean; terminateOn?: "none" | "any" | "*" | "#" };
    body: Record<string, never>;
    response: LiveRecording;
  };
  /** listStored: List recordings that are complete. (recordings.json) */
  "GET /recordings/stored": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: StoredRecording[];
  };
  /** getStored: Get a stored recording's details. (recordings.json) */
  "GET /recordings/stored/{recordingName}": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: StoredRecording;
  };
  /** deleteStored: Delete a stored recording. (recordings.json) */
  "DELETE /recordings/stored/{recordingName}": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** getStoredFile: Get the file associated with the stored recording. (recordings.json) */
  "GET /recordings/stored/{recordingName}/file": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: ArrayBuffer;
  };
  /** copyStored: Copy a stored recording. (recordings.json) */
  "POST /recordings/stored/{recordingName}/copy": {
    path: { recordingName: string };
    query: { destinationRecordingName: string };
    body: Record<string, never>;
    response: StoredRecording;
  };
  /** getLive: List live recordings. (recordings.json) */
  "GET /recordings/live/{recordingName}": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: LiveRecording;
  };
  /** cancel: Stop a live recording and discard it. (recordings.json) */
  "DELETE /recordings/live/{recordingName}": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** stop: Stop a live recording and store it. (recordings.json) */
  "POST /recordings/live/{recordingName}/stop": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** pause: Pause a live recording. (recordings.json) */
  "POST /recordings/live/{recordingName}/pause": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** unpause: Unpause a live recording. (recordings.json) */
  "DELETE /recordings/live/{recordingName}/pause": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** mute: Mute a live recording. (recordings.json) */
  "POST /recordings/live/{recordingName}/mute": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** unmute: Unmute a live recording. (recordings.json) */
  "DELETE /recordings/live/{recordingName}/mute": {
    path: { recordingName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** list: List all sounds. (sounds.json) */
  "GET /sounds": {
    path: Record<string, never>;
    query: { lang?: string; format?: string };
    body: Record<string, never>;
    response: Sound[];
  };
  /** get: Get a sound's details. (sounds.json) */
  "GET /sounds/{soundId}": {
    path: { soundId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Sound;
  };
  /** get: Get a playback's details. (playbacks.json) */
  "GET /playbacks/{playbackId}": {
    path: { playbackId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Playback;
  };
  /** stop: Stop a playback. (playbacks.json) */
  "DELETE /playbacks/{playbackId}": {
    path: { playbackId: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** control: Control a playback. (playbacks.json) */
  "POST /playbacks/{playbackId}/control": {
    path: { playbackId: string };
    query: { operation: "restart" | "pause" | "unpause" | "reverse" | "forward" };
    body: Record<string, never>;
    response: void;
  };
  /** list: List all ARI controlled device states. (deviceStates.json) */
  "GET /deviceStates": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: DeviceState[];
  };
  /** get: Retrieve the current state of a device. (deviceStates.json) */
  "GET /deviceStates/{deviceName}": {
    path: { deviceName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: DeviceState;
  };
  /** update: Change the state of a device controlled by ARI. (Note - implicitly creates the device state). (deviceStates.json) */
  "PUT /deviceStates/{deviceName}": {
    path: { deviceName: string };
    query: { deviceState: "NOT_INUSE" | "INUSE" | "BUSY" | "INVALID" | "UNAVAILABLE" | "RINGING" | "RINGINUSE" | "ONHOLD" };
    body: Record<string, never>;
    response: void;
  };
  /** delete: Destroy a device-state controlled by ARI. (deviceStates.json) */
  "DELETE /deviceStates/{deviceName}": {
    path: { deviceName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** list: List all mailboxes. (mailboxes.json) */
  "GET /mailboxes": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Mailbox[];
  };
  /** get: Retrieve the current state of a mailbox. (mailboxes.json) */
  "GET /mailboxes/{mailboxName}": {
    path: { mailboxName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Mailbox;
  };
  /** update: Change the state of a mailbox. (Note - implicitly creates the mailbox). (mailboxes.json) */
  "PUT /mailboxes/{mailboxName}": {
    path: { mailboxName: string };
    query: { oldMessages: number; newMessages: number };
    body: Record<string, never>;
    response: void;
  };
  /** delete: Destroy a mailbox. (mailboxes.json) */
  "DELETE /mailboxes/{mailboxName}": {
    path: { mailboxName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: void;
  };
  /** userEvent: Generate a user event. (events.json) */
  "POST /events/user/{eventName}": {
    path: { eventName: string };
    query: { application: string; source?: string | Array<string> };
    body: { variables?: Record<string, unknown> };
    response: void;
  };
  /** claimChannel: Claim a broadcast channel for this application. (events.json) */
  "POST /events/claim": {
    path: Record<string, never>;
    query: { channelId: string; application: string };
    body: Record<string, never>;
    response: void;
  };
  /** list: List all applications. (applications.json) */
  "GET /applications": {
    path: Record<string, never>;
    query: Record<string, never>;
    body: Record<string, never>;
    response: Application[];
  };
  /** get: Get details of an application. (applications.json) */
  "GET /applications/{applicationName}": {
    path: { applicationName: string };
    query: Record<string, never>;
    body: Record<string, never>;
    response: Application;
  };
  /** subscribe: Subscribe an application to a event source. (applications.json) */
  "POST /applications/{applicationName}/subscription": {
    path: { applicationName: string };
    query: { eventSource: string | Array<string> };
    body: Record<string, never>;
    response: Application;
  };
  /** unsubscribe: Unsubscribe an application from an event source. (applications.json) */
  "DELETE /applications/{applicationName}/subscription": {
    path: { applicationName: string };
    query: { eventSource: string | Array<string> };
    body: Record<string, never>;
    response: Application;
  };
  /** filter: Filter application events types. (applications.json) */
  "PUT /applications/{applicationName}/eventFilter": {
    path: { applicationName: string };
    query: Record<string, never>;
    body: { filter?: Record<string, unknown> };
    response: Application;
  };
}

export type AriOperation = keyof AriOperations;
