"""Push notifications to the customer's devices: FCM HTTP v1, APNs, Web Push."""
