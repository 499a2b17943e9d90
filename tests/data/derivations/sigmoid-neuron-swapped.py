# sigmoid-neuron.py with the local gradients of the * gate w1*x1 swapped (line 13):
# dw1 must be x1 * ddot (the other input of the gate), not w1 * ddot.
# The mistake is caught at line 13 and nothing else inherits it.
w0 = 2; w1 = -3; w2 = -3
x0 = -1; x1 = -2
dot = w0*x0 + w1*x1 + w2
f = 1.0 / (1 + math.exp(-dot))  # the sigmoid
# backward pass through the neuron
ddot = (1 - f) * f  # gradient on dot, using the sigmoid's local gradient
dx0 = w0 * ddot
dx1 = w1 * ddot
dw0 = x0 * ddot
dw1 = w1 * ddot
dw2 = 1.0 * ddot
