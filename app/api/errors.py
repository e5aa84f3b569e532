"""API errors: always `{"error": code, "message": text}` with the right status, never a page."""
from flask import jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.api import bp

MAX_BODY = 64 * 1024
# A full batch (500 scans, QR payloads) is larger than one scan's 64 KiB; it gets room for that.
MAX_BATCH_BODY = 256 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def api_error(status: int, code: str, message: str):
    return jsonify(error=code, message=message), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    response = api_error(exc.status, exc.code, exc.message)
    if exc.status == 401:
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="portvakt"'
    return response


def too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The request body is larger than {limit // 1024} KiB.")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    limit = request.max_content_length or MAX_BODY
    return _api_error(too_large(limit))
