/*
 * The gate's key root on the ESP32-S3: HMAC-SHA256 computed by the chip's
 * HMAC peripheral ("upstream" mode) over a key in eFuse block KEY4, burned
 * once at provisioning with purpose HMAC_UP and read-protected, so software
 * (this firmware included) can use the key but never read it
 * (docs/secrets.md; ESP-IDF: esp_hmac.h, "HMAC" in the ESP32-S3 TRM).
 *
 *   derive(label: ArrayBuffer): ArrayBuffer(32)   HMAC-SHA256(eFuse key, label)
 *
 * The firmware derives every key it keeps from this (store key wrap, PIN
 * key, audit chain and signing keys), so a flash dump, even with flash
 * encryption broken, opens nothing without the chip that made it.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"
#include <string.h>
#include "esp_hmac.h"

#define KEY_ROOT_BLOCK HMAC_KEY4
#define LABEL_MAX 64

void xs_keyroot_derive(xsMachine *the)
{
	uint8_t label[LABEL_MAX];
	uint8_t out[32];
	void *data;
	xsUnsignedValue length;
	esp_err_t err;

	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length == 0 || length > LABEL_MAX)
		xsRangeError("key root label: 1..64 bytes");
	/* Copy first: the buffer may move when XS collects garbage. */
	memcpy(label, data, length);
	err = esp_hmac_calculate(KEY_ROOT_BLOCK, label, length, out);
	if (ESP_OK != err)
		xsUnknownError("key root unavailable: eFuse KEY4 not burned with purpose HMAC_UP (docs/secrets.md)");
	xsmcSetArrayBuffer(xsResult, out, sizeof(out));
	memset(out, 0, sizeof(out));
}
