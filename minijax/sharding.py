"""``minijax.sharding``: where an array lives. minijax runs on one device, so
there is one kind of sharding: the whole array on that device."""
from . import compiling


class SingleDeviceSharding:
    """The whole array on one device (``jax.sharding.SingleDeviceSharding``)."""

    def __init__(self, device, *, memory_kind=None):
        self._device = device
        self._memory_kind = memory_kind

    @property
    def device_set(self):
        return {self._device}

    @property
    def memory_kind(self):
        return self._memory_kind or "device"

    @property
    def num_devices(self):
        return 1

    def is_equivalent_to(self, other, ndim):
        return self == other

    def __eq__(self, other):
        return (isinstance(other, SingleDeviceSharding) and other._device == self._device
                and other.memory_kind == self.memory_kind)

    def __hash__(self):
        return hash((self._device, self.memory_kind))

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r}, memory_kind={self.memory_kind})"


def default_sharding():
    """The sharding of every concrete array: all of it on the one device jit uses."""
    return SingleDeviceSharding(compiling.devices()[0])
