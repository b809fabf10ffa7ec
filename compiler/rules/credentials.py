"""Credentials in strings: what in a value looks like a secret, and where a user allowed one.

Detection is Yelp's detect-secrets (its regex plugins for token formats, its keyword detector
for `password=...` text, its base64 entropy measure), plus what a structured document allows
and a line scanner cannot know: the name a value goes by (a map key, an environment variable's
`name`, the `--flag` before an argument), and URLs parsed into user info and query parameters.
Nothing here prints a value: `Credential.shown` is the most a message may say of one.

The allow-list is detect-secrets' own inline comment: `# pragma: allowlist secret` on the line
a finding points at, or `# pragma: allowlist nextline secret` on the line above it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator
from urllib.parse import parse_qsl, urlsplit

from detect_secrets.filters.allowlist import get_allowlist_regexes
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import CONFIG_DENYLIST_REGEX_TO_GROUP, DENYLIST, KeywordDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

from ..errors import Location


@dataclass(frozen=True)
class Credential:
    kind: str  # what it is, as a message says it: "a GitHub token"
    value: str  # the secret itself: compared, never printed

    @property
    def shown(self) -> str:
        """The first 4 characters and an ellipsis; nothing of a value too short to spare 4."""
        return f"'{self.value[:4]}…'" if len(self.value) >= 8 else "'…'"


# detect-secrets' plugins for credentials with a format of their own. Left out on purpose: the
# ones that guess from nearby words (Artifactory, Cloudant, IBM, SoftLayer: they fire on
# ordinary names), public IP addresses (no credential), hex entropy (fires on digests and IDs).
_FORMATS = {
    AWSKeyDetector: "an AWS access key",
    AzureStorageKeyDetector: "an Azure storage account key",
    DiscordBotTokenDetector: "a Discord bot token",
    GitHubTokenDetector: "a GitHub token",
    GitLabTokenDetector: "a GitLab token",
    JwtTokenDetector: "a JSON Web Token",
    MailchimpDetector: "a Mailchimp key",
    NpmDetector: "an npm token",
    OpenAIDetector: "an OpenAI key",
    PrivateKeyDetector: "a private key",
    PypiTokenDetector: "a PyPI token",
    SendGridDetector: "a SendGrid key",
    SlackDetector: "a Slack token",
    SquareOAuthDetector: "a Square OAuth secret",
    StripeDetector: "a Stripe key",
    TelegramBotTokenDetector: "a Telegram bot token",
    TwilioKeyDetector: "a Twilio key",
    BasicAuthDetector: "a password in a URL",
}
_PLUGINS = [(plugin(), kind) for plugin, kind in _FORMATS.items()]
# Their patterns capture only the token's prefix (`(ghp|gho|...)_...`), which analyze_string
# yields as the secret; the whole match is the token.
_WHOLE_MATCH = (GitHubTokenDetector, GitLabTokenDetector)
# detect-secrets 1.5 has no Hugging Face plugin. A user access token is `hf_` and 34 letters
# (gitleaks' `huggingface-access-token` rule, config/gitleaks.toml; huggingface.co/docs/hub/
# security-tokens); `api_org_` is the older organization token. Digits allowed, longer allowed.
_HUGGING_FACE = re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{34,}\b")
# An HTTP Authorization header value written out (`Bearer <token>`, `Basic <base64>`): with a
# digit in it, so that prose ("Bearer authentication") is none.
_AUTHORIZATION = re.compile(r"\b(?:Bearer|Basic) +((?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{12,})")
_KEYWORDS = KeywordDetector()
# Base64 runs above the detector's default limit, 4.5 bits a character (a run needs at least 23
# different characters to reach it), counted only when they mix upper case, lower case and
# digits as generated keys do and names, paths and hex IDs do not.
_ENTROPY = Base64HighEntropyString()
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
_MIXED = re.compile(r"(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])")
# Public material is random-looking too and no secret: PEM certificates and public keys (as text,
# or base64-encoded as in a caBundle: `LS0tLS1CRUdJTi` is "-----BEGIN"), SSH public keys.
_PUBLIC_PEM = re.compile(r"-----BEGIN (CERTIFICATE|[A-Z ]*PUBLIC KEY)-----.*?-----END \1-----", re.S)
_ENCODED_PEM = re.compile(r"LS0tLS1CRUdJTi(?:BDRVJUSUZJQ0FURS|B[A-Za-z0-9+/]*VUJMSUMgS0VZ)[A-Za-z0-9+/=]*")
_SSH_PUBLIC_KEY = re.compile(r"\b(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-[a-z0-9]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+")

# A name that says its value is a credential: detect-secrets' keyword list and the words it
# lacks (token, credential, access/secret key, signature), matched on whole words of the name.
_CREDENTIAL_WORDS = "|".join(DENYLIST + ("token", "credentials?", "passphrase", "access_?key", "secret_?key", "signature", "sig"))
_CREDENTIAL_NAME = re.compile(rf"(?:^|_)({_CREDENTIAL_WORDS})(?:_|$)")
# ...unless its last word says the value only points at one: `secretName`, `password-file`.
_REFERENCE_WORDS = {"name", "names", "ref", "reference", "file", "files", "path", "dir", "directory", "url", "uri", "endpoint", "mount", "volume", "env", "type", "mode", "header", "format", "length", "size", "ttl", "timeout", "enabled"}
_NAME_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Values that hold no credential whatever their name: numbers, switches, paths, references
# (`$(VAR)` is Kubernetes' own expansion of an environment variable into an argument), masks.
_NOT_A_SECRET = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?|(?i:true|false|yes|no|on|off|none|null|nil|enabled|disabled|auto|required|optional|default)|\*+|x+|\.+")
_REFERENCE_VALUE = re.compile(r"^(?:/|\./|\.\./|~/|file:)|\$\(|\$\{|\{\{|^<.*>$|^\$[A-Za-z_]")
_ASSIGNMENT = re.compile(r"^-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$", re.S)
_FLAG = re.compile(r"^--?([A-Za-z][A-Za-z0-9_.-]*)$")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
# Query parameters of signed and token-carrying URLs (S3 and GCS presigned URLs, Azure SAS),
# beyond those whose name already says credential.
_SIGNED_PARAMETERS = {"sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential", "key", "token", "access_token"}
# A user name without a password is how ssh URLs name the account (`ssh://git@host/repo`).
_USER_ONLY_SCHEMES = {"ssh", "git+ssh", "ssh+git", "sftp"}


def _words(name: str) -> str:
    return "_".join(word.lower() for word in _NAME_WORDS.findall(name))


@lru_cache(maxsize=4096)
def credential_word(name: str) -> str | None:
    """The word of `name` that says it holds a credential (None: it does not, or it names a reference)."""
    words = _words(name)
    match = _CREDENTIAL_NAME.search(words)
    if match is None or words.rsplit("_", 1)[-1] in _REFERENCE_WORDS:
        return None
    return match.group(1)


def _kind_of_word(word: str) -> str:
    if word.startswith(("pass", "pwd", "contras")) or word.endswith("pass"):
        return "a password"
    if word in ("sig", "signature"):
        return "a signature"
    if re.fullmatch(r"api_?key", word):
        return "an API key"
    if word.endswith("key"):
        return "a secret key"
    return {"token": "a token", "credential": "a credential", "credentials": "a credential"}.get(word, "a secret")


def literal(value: str) -> bool:
    """Whether a value could be a credential, rather than a number, a switch, a path, a
    reference or prose (a credential in a config value has no spaces)."""
    value = value.strip()
    return bool(value) and not _NOT_A_SECRET.fullmatch(value) and not _REFERENCE_VALUE.search(value) and "://" not in value and not any(ch.isspace() for ch in value)


def _by_name(name: str | None, value: str) -> Credential | None:
    word = credential_word(name) if name else None
    if word is None or not literal(value):
        return None
    return Credential(_kind_of_word(word), value.strip())


def _url_credentials(url: str) -> Iterator[Credential]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    userinfo, at, _host = parts.netloc.rpartition("@")
    if at and userinfo:
        user, _colon, password = userinfo.partition(":")
        if password:
            yield Credential("a password in a URL", password)
        elif parts.scheme.lower() not in _USER_ONLY_SCHEMES:
            yield Credential("a token as a URL's user name", user)
    for name, value in parse_qsl(parts.query) + parse_qsl(parts.fragment):
        if value and (name.lower() in _SIGNED_PARAMETERS or credential_word(name)) and literal(value):
            yield Credential(f"a signed-URL parameter {name}" if name.lower() in _SIGNED_PARAMETERS else f"a {name} parameter in a URL", value)


def _plugin_matches(plugin, text: str) -> Iterator[str]:
    if isinstance(plugin, _WHOLE_MATCH):
        for pattern in plugin.denylist:
            yield from (match.group(0) for match in pattern.finditer(text))
    else:
        yield from plugin.analyze_string(text)


def _entropy(text: str, found: list[Credential]) -> Iterator[Credential]:
    """Random-looking runs in the words of `text` that hold no credential found already (a JWT's
    signature, a URL's path segments are part of what was judged) and are no public material."""
    for public in (_URL, _PUBLIC_PEM, _ENCODED_PEM, _SSH_PUBLIC_KEY):
        text = public.sub(" ", text)
    words = [word for word in text.split() if not any(_same(c.value, word) for c in found)]
    for run in _BASE64_RUN.findall(" ".join(words)):
        if _MIXED.match(run) and _ENTROPY.calculate_shannon_entropy(run) > _ENTROPY.entropy_limit:
            yield Credential("a random-looking string (a generated key?)", run)


@lru_cache(maxsize=65536)
def _in_text(text: str) -> tuple[Credential, ...]:
    """Every credential the text shows by itself, whatever name it goes by (cached per string)."""
    found: list[Credential] = []
    for plugin, kind in _PLUGINS:
        for match in _plugin_matches(plugin, text):
            # A private key is the whole block; the plugin's match is only its BEGIN line.
            found.append(Credential(kind, text.strip() if kind == "a private key" else match))
    found += [Credential("a Hugging Face token", match) for match in _HUGGING_FACE.findall(text)]
    found += [Credential("an Authorization header credential", match) for match in _AUTHORIZATION.findall(text)]
    for url in _URL.findall(text):
        found += _url_credentials(url)
    assignment = _ASSIGNMENT.match(text)
    by_name = _by_name(assignment.group(1), assignment.group(2)) if assignment else None
    found += [by_name] if by_name else []
    found += [Credential("a secret", match) for match in _KEYWORDS.analyze_string(text, CONFIG_DENYLIST_REGEX_TO_GROUP) if literal(match)]
    found += _entropy(text, found)
    return _distinct(found)


def _same(one: str, other: str) -> bool:
    """Whether two found values are one secret: equal, or one (of 8 characters or more, so that
    a short password is not found in everything) part of the other."""
    shorter, longer = sorted((one, other), key=len)
    return shorter == longer or (len(shorter) >= 8 and shorter in longer)


def _distinct(found: list[Credential]) -> tuple[Credential, ...]:
    """Each secret once, named by the first (most specific) detector that found it."""
    kept: list[Credential] = []
    for credential in found:
        if not any(_same(credential.value, other.value) for other in kept):
            kept.append(credential)
    return tuple(kept)


def credentials_in(text: str, name: str | None = None) -> tuple[Credential, ...]:
    """The credentials a string value holds, given the name it goes by (a key, an environment
    variable's name, the flag before an argument)."""
    by_name = _by_name(name, text)
    in_text = _in_text(text)
    return _distinct([*in_text, by_name]) if by_name else in_text


def describe(credentials: tuple[Credential, ...]) -> str:
    """'a GitHub token ('ghp_…') and a password in a URL ('hunt…')'"""
    parts = [f"{c.kind} ({c.shown})" for c in credentials]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------- walking a document


@dataclass(frozen=True)
class StringValue:
    path: tuple  # key path in the document (keys and list indices)
    name: str | None  # the name the value goes by
    text: str
    env_var: bool = False  # the `value` of a Kubernetes EnvVar {name, value}


def string_values(data: object, path: tuple = (), name: str | None = None) -> Iterator[StringValue]:
    """Every string in a document, with the name it goes by. Map keys name their values; an
    EnvVar's `name` names its `value`; a bare `--flag` in a list names the item after it."""
    if isinstance(data, str):
        yield StringValue(path, name, data)
    elif isinstance(data, dict):
        env_name = data.get("name") if isinstance(data.get("name"), str) and isinstance(data.get("value"), str) else None
        for key, value in data.items():
            if env_name is not None and key == "value":
                yield StringValue(path + (key,), env_name, value, env_var=True)
            else:
                yield from string_values(value, path + (key,), str(key))
    elif isinstance(data, list):
        previous = None
        for index, item in enumerate(data):
            flag = _FLAG.match(previous) if isinstance(previous, str) and isinstance(item, str) and not item.startswith("-") else None
            yield from string_values(item, path + (index,), flag.group(1) if flag else name)
            previous = item


def dotted(path: tuple) -> str:
    """spec.predictor.model.args[1], metadata.annotations["example.com/key"]"""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f'["{part}"]'
    return text


# ---------------------------------------------------------------- the allow-list

_ALLOW_SAME_LINE = get_allowlist_regexes(comment_tuple=("#", ""), nextline=False)
_ALLOW_NEXT_LINE = get_allowlist_regexes(comment_tuple=("#", ""), nextline=True)


@lru_cache(maxsize=256)
def _lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return tuple(handle.read().splitlines())


def source_lines(path: str) -> tuple[str, ...]:
    """The lines of a user's file as it is on disk now (empty when it cannot be read)."""
    try:
        stat = os.stat(path)
        return _lines(path, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return ()


def allowlisted(location: Location | None, since: Location | None = None) -> bool:
    """Whether the line a finding points at carries `# pragma: allowlist secret`, or the line
    above it `# pragma: allowlist nextline secret` (detect-secrets' inline allow-list). With
    `since` (a patch operation's first line), any line from there to the finding's counts: a
    block scalar's own lines cannot hold a comment, its `key: |` line can."""
    if location is None or not location.line:
        return False
    lines = source_lines(location.path)
    first = since.line if since is not None and since.path == location.path and 0 < since.line <= location.line else location.line
    same = lines[first - 1 : location.line]
    above = lines[first - 2] if 1 < first <= len(lines) + 1 else ""
    return any(_ALLOW_SAME_LINE.search(line) for line in same) or bool(_ALLOW_NEXT_LINE.search(above))


def written_at(start: Location, text: str) -> Location | None:
    """Where `text` (its first line) is written in start's file, at or after start and within
    the same YAML document; None when it is not (quoted, escaped, or written elsewhere)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    lines = source_lines(start.path) if first else ()
    for index in range(max(start.line - 1, 0), len(lines)):
        if index >= start.line and lines[index].startswith("---"):
            break
        column = lines[index].find(first)
        if column >= 0:
            return Location(start.path, index + 1, column + 1)
    return None
